"""A microdata.no script that rebuilds the analysis note's variables for one county and year.

:func:`microdata_script` writes a script in microdata.no's command language that

1. defines the population (residents aged 15–29 in the county on 1 January of the year),
2. builds ``neet{year}``, ``dropout``, ``tidlarb``, ``barnevern``, ``allhelse``,
   ``innvandrerb``, ``innvandrer``, ``sosbakgr``, ``grunnbelop``, ``kjonn`` and ``alder``
   from register variables as the note defines them (chapter 4.1),
3. tabulates the cell counts for export (one combined cell code ``celle`` against the
   outcome; :func:`decode_cell_key` turns the exported codes back into the cell-count
   schema of :mod:`neethelpers.microdata.schema`), and
4. runs the four logit models and the linear probability model of
   :mod:`neethelpers.microdata.models` inside microdata.no.

Only commands and variables that ``microdata-no-reference.md`` attests are emitted. Every
line that rests on a third-party source ([T]) or on an assumption of this book is marked
in a ``//`` comment on the line above, so the analyst knows what to check in
microdata.no's variable catalogue before running it. Long-term NEET is operationalised with
the official NEET example's rule (no course, no labour-market measure in any month, wage
income under a threshold) applied to two consecutive years, with the note's threshold of a
quarter of G; G is hard-coded per year from ``data/raw/nav_grunnbelop.csv`` because
microdata.no has no G variable.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from neethelpers.errors import DataError, UnknownCountyError
from neethelpers.registry import counties

__all__ = ["microdata_script", "decode_cell_key", "CELL_KEY_DIGITS", "grunnbelop_by_year"]

G_DATASET = "nav_grunnbelop"
G_INDICATOR = "Gjennomsnittlig G"
FIRST_WORK_YEAR = 2010  # tidlarb counts wage income from 2010 (the note)
FIRST_CW_YEAR = 2011  # barnevern counts measures from 2011 (the note)

#: The combined cell code: each variable's digit(s), most significant first.
CELL_KEY_DIGITS: tuple[tuple[str, int], ...] = (
    ("dropout", 1), ("tidlarb", 1), ("barnevern", 1), ("allhelse", 1), ("innvandrerb", 1), ("innvandrer", 1),
    ("sosbakgr", 1), ("grunnbelop", 1), ("kjonn", 1), ("alder", 2),
)


@lru_cache(maxsize=1)
def grunnbelop_by_year() -> dict[int, float]:
    """The average G of each calendar year (NOK), from the NAV series in ``data/raw``."""
    from neethelpers import data

    df = data.load(G_DATASET)
    df = df[df["indicator"].str.startswith(G_INDICATOR)]
    return {int(y): float(v) for y, v in zip(df["year"], df["value"])}


def _g(year: int) -> float:
    table = grunnbelop_by_year()
    if year not in table:
        raise DataError(G_DATASET, f"no grunnbeløp for {year}", column="year", value=year,
                        expected=f"a year {min(table)}–{max(table)}")
    return table[year]


def _num(x: float) -> str:
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return text


def _county_filter(county, year: int) -> list[str]:
    """Lines that keep the residents of ``county`` (2024 borders) by municipality on 1 January."""
    if year >= counties.CURRENT_STRUCTURE_FROM:
        return ["// Kommunenummeret følger 2024-fylkene: de to første sifrene er fylkesnummeret [O eksempel substr]",
                "generate fylkenr = substr(kommune, 1, 2)",
                f"keep if fylkenr == '{county.code}'"]
    from neethelpers.registry import crosswalk

    cw = crosswalk.crosswalk()
    codes = sorted(cw.loc[(cw["year"] == year) & (cw["county_code"] == county.code), "municipality_code"])
    if not codes:
        raise DataError("data/raw/ssb_13556_municipality.csv", f"no municipalities of {county.name} in {year}",
                        column="year", value=year, expected="a year covered by the municipality file")
    listed = ", ".join(f"'{c}'" for c in codes)
    return [f"// {year} var kommunenumrene på den gamle fylkesinndelingen: kommunene som i dag ligger i "
            f"{county.name} (fra neethelpers.registry.crosswalk)",
            "// inlist() med tekstverdier: se funksjonslisten [M]; kontroller at kommune er tekst (destring ikke brukt)",
            f"generate ifylke = inlist(kommune, {listed})",
            "keep if ifylke == 1"]


def microdata_script(county: str, year: int, *, datastore_version: int | None = None) -> str:
    """The microdata.no script for long-term NEET in ``county`` with outcome year ``year``.

    ``county`` is a name or code of a current county; ``year`` the outcome year (the note
    uses 2023: ``neet2023``). ``datastore_version`` is the ``no.ssb.fdb`` version; without it
    the script has the placeholder ``<VERSJON>``, which microdata.no rejects until it is
    filled in (the reference advises against hard-coding a "latest" version).
    """
    try:
        c = counties.resolve(str(county))
    except UnknownCountyError as exc:
        raise DataError(None, str(exc), column="county", value=county) from None
    g_table = grunnbelop_by_year()
    first_ok, last_ok = max(min(g_table), FIRST_CW_YEAR + 1), max(g_table)
    if not isinstance(year, int) or not first_ok <= year <= last_ok:
        raise DataError(None, "year outside the range the script can build", column="year", value=year,
                        expected=f"{first_ok}–{last_ok} (needs G for every year and child-welfare data from 2011)")
    y0, y1 = year - 1, year
    version = str(datastore_version) if datastore_version is not None else "<VERSJON>"
    out: list[str] = []
    add = out.extend

    add([
        f"// Langtids-NEET i {c.name}, utfallsår {year}: variablene fra analysenotatet, celletall for eksport",
        "// og logit-modellene. Laget av neethelpers (neet microdata-script). Kontroller linjene merket [T]",
        "// (bare tredjepartskilde) eller 'antakelse' i variabelkatalogen før kjøring.",
        "// Kilder: [O] offisiell side, [M] offisielt innhold via avskrift, [T] tredjepart.",
        "",
        "// 1 Datagrunnlag [O]: sett inn versjonen av no.ssb.fdb du vil bruke (for eksempel fra microdata.no/discovery)",
        f"require no.ssb.fdb:{version} as db",
        "",
        f"// 2 Populasjon: bosatte 15–29 år (alder nådd i {year}) i {c.name} 1. januar {year}",
        "create-dataset neet",
        "import db/BEFOLKNING_FOEDSELS_AAR_MND as faarmnd",
        f"import db/BEFOLKNING_STATUSKODE {y1}-01-01 as regstat",
        f"generate alder = {y1} - int(faarmnd/100)",
        "keep if regstat == '1'",
        "keep if inrange(alder, 15, 29)",
        f"import db/BEFOLKNING_KOMMNR_FAKTISK {y1}-01-01 as kommune",
    ])
    add(_county_filter(c, y1))
    add([
        "import db/BEFOLKNING_KJOENN as kjonn",
        "// kjønn: '1' mann, '2' kvinne [O/T]; destring gir tallkodene 1 og 2 [M]",
        "destring kjonn",
        "",
        "// 3 Innvandringsbakgrunn: innvandrerb = kategori B, C eller E; innvandrer = 1 (B), 2 (C), 0 ellers [O]",
        "import db/BEFOLKNING_INVKAT as invkat",
        "generate innvandrerb = (invkat == 'B') | (invkat == 'C') | (invkat == 'E')",
        "generate innvandrer = 0",
        "replace innvandrer = 1 if invkat == 'B'",
        "replace innvandrer = 2 if invkat == 'C'",
        "",
        "// 4 Sosial bakgrunn (foreldres høyeste utdanning) fra NUDB_SOSBAK [O]",
        "// Kodene '1'–'4' (1 lang høyere ... 4 grunnskole) er bare sett i en tredjepartskilde [T]: sjekk med",
        "// list-labels db/NUDB_SOSBAK og juster de tre linjene; manglende sosbak gir manglende sosbakgr",
        "import db/NUDB_SOSBAK as sosbak",
        "destring sosbak",
        "generate sosbakgr = 1 if (sosbak == 1) | (sosbak == 2)",
        "replace sosbakgr = 2 if sosbak == 3",
        "replace sosbakgr = 3 if sosbak == 4",
        "",
        f"// 5 Tidligere arbeidserfaring: lønnsinntekt over 1/2 G i minst ett år {FIRST_WORK_YEAR}–{y0} [O INNTEKT_WLONN]",
        "// INNTEKT_WLONN har bare positive verdier: manglende = 0 [O]. G = gjennomsnittlig G for året (NAV).",
        "generate tidlarb = 0",
    ])
    for yr in range(FIRST_WORK_YEAR, y1):
        add([f"import db/INNTEKT_WLONN {yr}-12-31 as lonn{yr}",
             f"replace lonn{yr} = 0 if sysmiss(lonn{yr})",
             f"replace tidlarb = 1 if lonn{yr} > {_num(_g(yr) / 2)}"])
    add([
        "",
        f"// 6 Barnevern: omsorgs- eller hjelpetiltak per 31. desember i et år {FIRST_CW_YEAR}–{y0} [O *12-variablene]",
        "generate barnevern = 0",
    ])
    for yr in range(FIRST_CW_YEAR, y1):
        add([f"import db/BARNEVERN_OMSORG12 {yr}-12-31 as omsorg{yr}",
             f"import db/BARNEVERN_HJELPETIL12 {yr}-12-31 as hjelp{yr}",
             f"replace barnevern = 1 if !sysmiss(omsorg{yr}) | !sysmiss(hjelp{yr})"])
    add([
        "",
        f"// 7 Helserelaterte ytelser i {y1}: arbeidsavklaringspenger og uføretrygd [M INNTEKT_SUM_ARBAVKL, INNTEKT_KODE218]",
        "// Grunnstønad og hjelpestønad er med i notatets allhelse, men referansen har ingen bekreftet variabel",
        "// for dem: de er ikke med her (legg dem til hvis katalogen har dem).",
        f"import db/INNTEKT_SUM_ARBAVKL {y1}-12-31 as aap",
        f"import db/INNTEKT_KODE218 {y1}-12-31 as ufore",
        "replace aap = 0 if sysmiss(aap)",
        "replace ufore = 0 if sysmiss(ufore)",
        "generate allhelse = (aap > 0) | (ufore > 0)",
        "",
        f"// 8 Langtids-NEET: NEET både i {y0} og {y1}. NEET i et år (regelen i det offisielle NEET-eksempelet [O/M]):",
        "// ingen kurs i NUDB, ikke på arbeidsmarkedstiltak noen måned, og lønnsinntekt under 1/4 G (notatets grense).",
        "// Antakelse i boka: notatet sier ikke hvordan 'to år eller mer' ble målt; her kreves begge årene.",
    ])
    for yr in (y0, y1):
        months = [f"{yr}-{m:02d}-{d:02d}" for m, d in zip(range(1, 13),
                                                           (31, 28 + (yr % 4 == 0), 31, 30, 31, 30, 31, 31, 30, 31, 30, 31))]
        for i, day in enumerate(months, start=1):
            out.append(f"import db/ARBEIDSSOKER_TILTAK {day} as tiltak{yr}_{i}")
        out.append("destring " + " ".join(f"tiltak{yr}_{i}" for i in range(1, 13)))
        out.append(f"generate tiltak{yr} = " + " | ".join(f"(tiltak{yr}_{i} == 1)" for i in range(1, 13)))
    for yr in (y0, y1):
        add([
            f"create-dataset kurs{yr}",
            f"import-event db/NUDB_KURS_NUS {yr}-01-01 to {yr}-12-31 as student{yr}",
            f"create-dataset lenke{yr}",
            "import db/NUDB_KURS_FNR as fnr",
            f"merge fnr into kurs{yr}",
            f"use kurs{yr}",
            f"destring student{yr}",
            f"keep if student{yr} > 0",
            f"collapse (count) student{yr}, by(fnr)",
            f"merge student{yr} into neet",
            "use neet",
            f"replace student{yr} = 0 if sysmiss(student{yr})",
            f"replace student{yr} = 1 if student{yr} > 0",
        ])
    add([
        f"generate neet{y0}_ar = (student{y0} == 0) & (tiltak{y0} == 0) & (lonn{y0} < {_num(_g(y0) / 4)})",
        f"import db/INNTEKT_WLONN {y1}-12-31 as lonn{y1}",
        f"replace lonn{y1} = 0 if sysmiss(lonn{y1})",
        f"generate neet{y1}_ar = (student{y1} == 0) & (tiltak{y1} == 0) & (lonn{y1} < {_num(_g(y1) / 4)})",
        f"generate neet{y1} = (neet{y0}_ar == 1) & (neet{y1}_ar == 1)",
        "",
        f"// 9 Dropout: 18–29 år, høyeste utdanning er påbegynt videregående (NUS første siffer 3), ikke i utdanning i {y1}",
        "// NUS-tolkningen av første siffer er en antakelse i referansen: kontroller mot NUS-dokumentasjonen.",
        f"import db/NUDB_BU {y1}-10-01 as utd",
        "destring utd",
        f"generate dropout = (alder >= 18) & inrange(utd, 300000, 399999) & (student{y1} == 0)",
        "",
        f"// 10 Husholdningsinntekt i G for dem som bor med minst én forelder, inntektsåret {y0}",
        "// Antakelse i boka: 'bor med forelder' = samme familienummer som mor eller far (BEFOLKNING_REGSTAT_FAMNR [O]),",
        "// husholdningsinntekt = INNTEKT_HUSH_IES (etter skatt) [M]; notatet oppgir ikke hvilke variabler det brukte.",
        "import db/BEFOLKNING_MOR_FNR as fnr_mor",
        "import db/BEFOLKNING_FAR_FNR as fnr_far",
        f"import db/BEFOLKNING_REGSTAT_FAMNR {y1}-01-01 as famnr",
        f"import db/INNTEKT_HUSH_IES {y0}-12-31 as hushinnt",
        "create-dataset foreldre",
        f"import db/BEFOLKNING_REGSTAT_FAMNR {y1}-01-01 as famnr_mor",
        "clone-variables famnr_mor -> famnr_far",
        "merge famnr_mor into neet on fnr_mor",
        "merge famnr_far into neet on fnr_far",
        "use neet",
        "generate hjemme = (famnr == famnr_mor) | (famnr == famnr_far)",
        f"generate grunnbelop = 1 if (hjemme == 1) & (hushinnt <= {_num(2 * _g(y0))})",
        f"replace grunnbelop = 2 if (hjemme == 1) & (hushinnt > {_num(2 * _g(y0))}) & (hushinnt <= {_num(4 * _g(y0))})",
        f"replace grunnbelop = 3 if (hjemme == 1) & (hushinnt > {_num(4 * _g(y0))})",
        "",
        "// 11 Aldersgrupper for modell 2 og 4 (15–19, 20–24, 25–29)",
        "generate aldersgruppe = 1",
        "replace aldersgruppe = 2 if inrange(alder, 20, 24)",
        "replace aldersgruppe = 3 if inrange(alder, 25, 29)",
        "",
        "// 12 Celletall for eksport: én kode per kombinasjon av forklaringsvariablene (sifre i rekkefølgen",
        "// " + " ".join(f"{v}({w})" for v, w in CELL_KEY_DIGITS) + "; grunnbelop 0 = bor ikke med forelder).",
        "// tabulate ..., flatten gir et rutenett som kan kopieres til CSV [M]; neethelpers.microdata.script.",
        "// decode_cell_key gjør kodene om til kolonnene i celletallsformatet. microdata.no støyer frekvensene og",
        "// kan holde tilbake tabeller med mange små celler [O/T]: del eventuelt opp etter kjonn eller aldersgruppe.",
        "generate gb = grunnbelop",
        "replace gb = 0 if sysmiss(grunnbelop)",
        "generate celle = " + _cell_key_expression(),
        f"tabulate celle neet{y1}, flatten",
        "",
        "// 13 Modellene (se kapittelet Regresjonsanalyse for definisjonene)",
        "// Modell 1 (notatets tabell 2)",
        f"logit neet{y1} dropout tidlarb allhelse i.sosbakgr i.grunnbelop innvandrerb",
        "// Modell 2: modell 1 + barnevern, kjønn og aldersgruppe (bokas definisjon)",
        f"logit neet{y1} dropout tidlarb allhelse i.sosbakgr i.grunnbelop innvandrerb barnevern i.kjonn i.aldersgruppe",
        "// Modell 3 og 4: som 1 og 2 uten allhelse, bare personer uten helserelaterte ytelser",
        f"logit neet{y1} dropout tidlarb i.sosbakgr i.grunnbelop innvandrerb if allhelse == 0",
        f"logit neet{y1} dropout tidlarb i.sosbakgr i.grunnbelop innvandrerb barnevern i.kjonn i.aldersgruppe if allhelse == 0",
        "// Gjennomsnittlige marginaleffekter for modell 1 [O mfx(dydx)]",
        f"logit neet{y1} dropout tidlarb allhelse i.sosbakgr i.grunnbelop innvandrerb, mfx(dydx)",
        "// Lineær sannsynlighetsmodell (notatets kapittel 6)",
        f"regress neet{y1} tidlarb dropout barnevern i.sosbakgr",
    ])
    return "\n".join(out) + "\n"


def _cell_key_expression() -> str:
    parts = []
    position = sum(w for _, w in CELL_KEY_DIGITS)
    for name, width in CELL_KEY_DIGITS:
        position -= width
        var = "gb" if name == "grunnbelop" else name
        parts.append(f"{var} * {10 ** position}" if position else var)
    return " + ".join(parts)


def decode_cell_key(frame: pd.DataFrame, key: str = "celle", county: str | None = None) -> pd.DataFrame:
    """Turn exported cell codes back into the covariate columns of the cell-count schema.

    ``frame`` has the code column ``key``; other columns (``n``, ``neet``) are kept. With
    ``county`` the ``fylke`` column is added (the script covers one county).
    """
    if key not in frame.columns:
        raise DataError(None, "no cell code column", column=key, expected="the 'celle' column of the export")
    codes = pd.to_numeric(frame[key], errors="coerce")
    if codes.isna().any():
        raise DataError(None, "cell code is not a number", column=key,
                        value=frame.loc[codes.isna(), key].iloc[0], expected="whole numbers from the script")
    codes = codes.astype("int64")
    out = {}
    position = sum(w for _, w in CELL_KEY_DIGITS)
    for name, width in CELL_KEY_DIGITS:
        position -= width
        out[name] = (codes // 10 ** position) % 10 ** width
    result = pd.DataFrame(out, index=frame.index)
    result["grunnbelop"] = result["grunnbelop"].where(result["grunnbelop"] != 0)
    if county is not None:
        result["fylke"] = counties.resolve(county).code
    rest = frame.drop(columns=[key])
    return pd.concat([result, rest], axis=1)
