"""The national chapter (``notebooks/02_national.ipynb``): what the page shows, as glued text,
numbered figures and tables.

The notebook holds the headings and the prose (Markdown cells with ``{glue:md}`` values);
each of its code cells is one call here. :func:`setup` reads the series and glues every value
the prose uses; the ``show_*`` functions draw one part of the page each.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from neethelpers import data
from neethelpers.presentation import charts, fmt, report
from neethelpers.registry import counties
from neethelpers.series import analysis_note, county as county_series, national

#: The register series' break, as the charts mark it.
REGISTER_BREAK = ((national.REGISTER_BREAK_YEAR, "brudd 2014/2015"),)
IMMIGRANTS, REST = "Innvandrere", "Befolkningen eksklusive innvandrere"
#: The Nordic countries of the 15–24 comparison (the newest year all of them have a figure).
NORDIC_15_24 = ("NO", "SE", "DK")
#: Highlighted in the 15–29 comparison, in this order; the other countries are grey.
FOCUS_15_29 = ["Norge", "EU27", "Sverige", "Danmark", "Finland"]


@dataclass
class Chapter:
    """The series the parts of the chapter share, up to the chapter's ``year``."""

    register: pd.DataFrame
    by_sex_age: pd.DataFrame
    by_immigrant: pd.DataFrame
    aku: pd.DataFrame
    eu24: pd.DataFrame
    eu29: pd.DataFrame

    @property
    def final_year(self) -> int:
        return national.latest_final_year(self.register)

    @property
    def first_year(self) -> int:
        return int(self.register["year"].min())

    @property
    def last_year(self) -> int:
        return int(self.register["year"].max())

    @property
    def years(self) -> str:
        return f"{self.first_year}–{self.last_year}"

    @property
    def peak(self) -> pd.Series:
        """The register year with the highest share."""
        return self.register.loc[self.register["share"].idxmax()]

    @property
    def low(self) -> pd.Series:
        """The register year with the lowest share."""
        return self.register.loc[self.register["share"].idxmin()]

    @property
    def sex(self) -> pd.DataFrame:
        """Women and men, 15–29."""
        s = self.by_sex_age
        return s[(s["age_group"] == "15-29") & (s["sex"] != "Begge kjønn")]

    @property
    def ages(self) -> pd.DataFrame:
        """The three age groups, both sexes; ``serie`` marks 15–19 as derived."""
        s = self.by_sex_age
        ages = s[(s["sex"] == "Begge kjønn") & (s["age_group"] != "15-29")].copy()
        ages["serie"] = ages["age_label"] + ages["derived"].map({True: " (beregnet)", False: ""})
        return ages

    @property
    def immigrants(self) -> pd.DataFrame:
        """Immigrants and the rest of the population (without the total)."""
        return self.by_immigrant[self.by_immigrant["group"] != "I alt"]

    def immigrants_in(self, year: int) -> pd.DataFrame:
        imm = self.immigrants
        return imm[imm["year"] == year].set_index("group")


def setup(year: int, page: str = "nasjonalt") -> Chapter:
    """Read the series up to ``year``, set up the page's labels and glue every value of the
    chapter's prose."""
    report.setup(page=page)
    ch = Chapter(
        register=national.register_total().query("year <= @year"),
        by_sex_age=national.register_by_sex_age().query("year <= @year"),
        by_immigrant=national.register_by_immigrant().query("year <= @year"),
        aku=national.aku_series(), eu24=national.eurostat_15_24(), eu29=national.eurostat_15_29(),
    )
    for name, value in {**_register_values(ch), **_sex_and_age_values(ch), **_immigrant_values(ch),
                        **_aku_values(ch), **_europe_values(ch)}.items():
        report.glue_text(name, value)
    return ch


# --- the register series ----------------------------------------------------------------------


def _register_values(ch: Chapter) -> dict[str, str]:
    """The register series' key numbers (newest final year, range, the 2014/2015 break), the
    newer preliminary year if there is one, and the chapter's headline sentence, which the
    front page also shows."""
    by_year = ch.register.set_index("year")
    final = by_year.loc[ch.final_year]
    values = {
        "first_year": str(ch.first_year), "last_year": str(ch.last_year),
        "final_year": str(ch.final_year), "final_share": fmt.percent(final["share"]),
        "final_count": fmt.count(final["neet"]), "final_residents": fmt.count(final["residents"]),
        "peak_year": str(int(ch.peak["year"])), "peak_share": fmt.percent(ch.peak["share"]),
        "low_year": str(int(ch.low["year"])), "low_share": fmt.percent(ch.low["share"]),
        "break_before_year": str(national.REGISTER_BREAK_YEAR - 1),
        "break_after_year": str(national.REGISTER_BREAK_YEAR),
        "break_before_share": fmt.percent(by_year.loc[national.REGISTER_BREAK_YEAR - 1, "share"]),
        "break_after_share": fmt.percent(by_year.loc[national.REGISTER_BREAK_YEAR, "share"]),
    }
    newer = ch.register[ch.register["year"] > ch.final_year]
    if len(newer):
        latest = newer.iloc[-1]
        values.update(preliminary_year=str(int(latest["year"])), preliminary_share=fmt.percent(latest["share"]),
                      preliminary_count=fmt.count(latest["neet"]))
    values["headline_sentence"] = headline_sentence(ch.register)
    return values


def headline_sentence(register: pd.DataFrame) -> str:
    """The newest year SSB has published, first: where it has only a final share (2024), that
    share as SSB's final figure; then the newest year with final counts. Preliminary counts
    are never put next to a final share."""
    final_year = national.latest_final_year(register)
    final = register.set_index("year").loc[final_year]
    counted = (f"{fmt.count(final['neet'])} unge i alderen 15–29 år utenfor arbeid, utdanning og "
               f"arbeidsmarkedstiltak, {fmt.percent(final['share'])} av de {fmt.count(final['residents'])} unge "
               "som var bosatt i Norge")
    newest = county_series.newest_final_share(counties.NATIONAL_CODE)
    if newest is None:
        return f"I {final_year} var {counted} (SSBs registerstatistikk, siste år med endelige tall)."
    return (f"I {newest.year} var {fmt.percent(newest.share)} av de unge i alderen 15–29 år utenfor arbeid, "
            f"utdanning og arbeidsmarkedstiltak ({newest.source_words}). Med endelige antall for {final_year}, "
            f"det nyeste året med antall, var det {counted}.")


def show_register(ch: Chapter) -> None:
    """Share and count, every year, with the break."""
    report.figure(
        charts.share_and_count(ch.register, break_year=national.REGISTER_BREAK_YEAR, break_text=REGISTER_BREAK[0][1]),
        name="register",
        caption=(f"Unge 15–29 år utenfor arbeid, utdanning og arbeidsmarkedstiltak, hele landet {ch.years}: "
                 "andel av bosatte (øverst) og antall personer (nederst). Stiplet linje: brudd i statistikken mellom "
                 "2014 og 2015. Åpne punkter og skraverte stolper: foreløpige tall. Kilde: SSB tabell 13556."),
        alt=(f"Linjediagram og stolpediagram for {ch.years}. Andelen ligger mellom "
             f"{fmt.percent(ch.low['share'])} og {fmt.percent(ch.peak['share'])}, med en topp i {int(ch.peak['year'])}."),
        data=ch.register,
    )


def show_newer_year(ch: Chapter) -> None:
    """A note on the newer preliminary year, if the series has one, and on SSB's final share
    for that year where only the share is published."""
    newer = ch.register[ch.register["year"] > ch.final_year]
    if newer.empty:
        return
    text = ("Tallene for {glue:md}`final_year` er SSBs endelige tall. For {glue:md}`preliminary_year` finnes "
            "foreløpige tall: {glue:md}`preliminary_share` ({glue:md}`preliminary_count` personer). Foreløpige tall "
            "henter opplysninger om selvstendig næringsdrivende fra året før, og de endelige tallene har pleid å "
            "ligge litt lavere.")
    newest = county_series.newest_final_share(counties.NATIONAL_CODE)
    if newest is not None and newest.year == int(newer["year"].iloc[-1]):
        text += (f" SSBs endelige andel for {newest.year} er {fmt.percent(newest.share)}; endelige antall for "
                 f"{newest.year} finnes ikke i tabellene boka bygger på, så figuren og tabellene viser de "
                 "foreløpige.")
    report.note(text)


# --- sex, age, immigrants ---------------------------------------------------------------------------


def _sex_and_age_values(ch: Chapter) -> dict[str, str]:
    sex = ch.sex[ch.sex["year"] == ch.final_year].set_index("sex")
    ages = ch.ages[ch.ages["year"] == ch.final_year].set_index("age_group")
    return {
        "women_share": fmt.percent(sex.loc["Kvinner", "share"]),
        "men_share": fmt.percent(sex.loc["Menn", "share"]),
        "age_15_19": fmt.percent(ages.loc["15-19", "share"]),
        "age_20_24": fmt.percent(ages.loc["20-24", "share"]),
        "age_25_29": fmt.percent(ages.loc["25-29", "share"]),
        "age_pattern": "Andelen øker med alderen i alle årene." if national.rises_with_age(ch.ages) else "",
    }


def show_sex(ch: Chapter) -> None:
    """Women and men, every year."""
    report.figure(
        charts.lines(ch.sex, hue="sex", ylabel="Andel av bosatte 15–29 år", breaks=REGISTER_BREAK),
        name="kjonn",
        caption=(f"Andel unge 15–29 år utenfor arbeid, utdanning og arbeidsmarkedstiltak etter kjønn, {ch.years}. "
                 "Åpne punkter: foreløpige tall. Kilde: SSB tabell 13556."),
        alt="Linjediagram med én linje for kvinner og én for menn, 15–29 år, hvert år i perioden.",
        data=ch.sex[["year", "sex", "residents", "neet", "share", "release"]],
    )


def show_ages(ch: Chapter) -> None:
    """The three age groups, every year (15–19 derived by subtraction, drawn dashed)."""
    ages = ch.ages
    report.figure(
        charts.lines(ages, hue="serie", order=["15–19 år (beregnet)", "20–24 år", "25–29 år"],
                     ylabel="Andel av bosatte i aldersgruppen", styles={"15–19 år (beregnet)": "--"},
                     breaks=REGISTER_BREAK),
        name="alder",
        caption=(f"Andel utenfor arbeid, utdanning og arbeidsmarkedstiltak etter aldersgruppe, {ch.years}. "
                 "15–19 år er beregnet ved subtraksjon (stiplet). Åpne punkter: foreløpige tall. Kilde: SSB tabell 13556."),
        alt="Linjediagram med tre linjer for aldersgruppene 15–19, 20–24 og 25–29 år; de eldste har høyest andel.",
        data=ages[["year", "age_group", "age_label", "derived", "residents", "neet", "share", "release"]],
    )


def _immigrant_values(ch: Chapter) -> dict[str, str]:
    final = ch.immigrants_in(ch.final_year)
    first = ch.immigrants_in(ch.first_year)
    return {
        "imm_share": fmt.percent(final.loc[IMMIGRANTS, "share"]),
        "rest_share": fmt.percent(final.loc[REST, "share"]),
        "imm_count": fmt.count(final.loc[IMMIGRANTS, "neet"]),
        "imm_ratio": fmt.number(final.loc[IMMIGRANTS, "share"] / final.loc[REST, "share"], 1),
        "imm_first_share": fmt.percent(first.loc[IMMIGRANTS, "share"]),
    }


def show_immigrants(ch: Chapter) -> None:
    """Immigrants and the rest of the population, every year."""
    imm = ch.immigrants
    final = ch.immigrants_in(ch.final_year)
    higher = final.loc[IMMIGRANTS, "share"] > final.loc[REST, "share"]
    report.figure(
        charts.lines(imm, hue="group_label", ylabel="Andel av bosatte 15–29 år i gruppen", breaks=REGISTER_BREAK),
        name="innvandrere",
        caption=(f"Andel unge 15–29 år utenfor arbeid, utdanning og arbeidsmarkedstiltak blant innvandrere og "
                 f"befolkningen ellers, {ch.years}. Åpne punkter: foreløpige tall. Kilde: SSB tabell 13563."),
        alt=("Linjediagram med én linje for innvandrere og én for befolkningen ellers"
             + ("; innvandrerne ligger høyere i alle år." if higher else ".")),
        data=imm[["year", "group", "group_label", "residents", "neet", "share", "release"]],
    )


# --- the labour force survey, Eurostat -----------------------------------------------------------


def _aku_values(ch: Chapter) -> dict[str, str]:
    aku = ch.aku
    last = aku.iloc[-1]
    before = aku[aku["year"] == national.AKU_BREAK_YEAR - 1].iloc[0]
    after = aku[aku["year"] == national.AKU_BREAK_YEAR].iloc[0]
    same_year = ch.register.set_index("year")["share"].get(int(last["year"]))
    return {
        "aku_last_year": str(int(last["year"])), "aku_last_share": fmt.percent(last["share"]),
        "aku_last_thousands": fmt.number(last["neet_thousands"]), "aku_first_year": str(int(aku["year"].min())),
        "aku_break_year": str(national.AKU_BREAK_YEAR), "aku_before_share": fmt.percent(before["share"]),
        "aku_after_share": fmt.percent(after["share"]), "register_same_year_share": fmt.percent(same_year),
    }


def show_three_sources(ch: Chapter) -> None:
    """The register, the labour force survey (AKU, two periods) and Eurostat side by side,
    never spliced; then the AKU figures as a table."""
    aku = ch.aku
    no29 = ch.eu29[ch.eu29["geo"] == "NO"]
    sources = pd.concat([
        ch.register.assign(kilde="SSB registerstatistikk")[["year", "kilde", "share", "release"]],
        aku.assign(kilde="AKU " + aku["segment"], release="endelig")[["year", "kilde", "share", "release"]],
        no29.assign(kilde="Eurostat (AKU-basert), Norge", release="endelig")[["year", "kilde", "share", "release"]],
    ], ignore_index=True)
    aku_keys = list(dict.fromkeys("AKU " + aku["segment"]))
    report.figure(
        charts.lines(sources, hue="kilde", ylabel="Andel av befolkningen 15–29 år",
                     order=["SSB registerstatistikk", *aku_keys, "Eurostat (AKU-basert), Norge"],
                     colours={"SSB registerstatistikk": "#000000", **{k: report.PALETTE[1] for k in aku_keys},
                              "Eurostat (AKU-basert), Norge": report.PALETTE[0]},
                     styles={"Eurostat (AKU-basert), Norge": ":"},
                     breaks=((national.AKU_BREAK_YEAR, "AKU lagt om 2021"),), figsize=(8, 5)),
        name="kilder",
        caption=("Andel unge 15–29 år utenfor arbeid og utdanning i tre kilder: SSBs registerstatistikk (tabell 13556), "
                 "SSBs arbeidskraftundersøkelse (tabell 09858, to perioder før og etter omleggingen i 2021) og Eurostat "
                 "(edat_lfse_20). Linjene er ikke skjøtet sammen. Åpne punkter: foreløpige tall."),
        alt=(f"Linjediagram der registerstatistikken ligger mellom {fmt.percent(ch.register['share'].min())} og "
             f"{fmt.percent(ch.register['share'].max())}, mens AKU ligger mellom {fmt.percent(aku['share'].min())} og "
             f"{fmt.percent(aku['share'].max())}; AKU er delt i to linjer ved {national.AKU_BREAK_YEAR}."),
        data=sources,
    )
    shown = aku.rename(columns={"year": "År", "neet_thousands": "Antall (1 000 personer)", "share": "Andel (%)",
                                "segment": "Periode"})
    report.table(shown, name="aku", decimals={"Andel (%)": 1, "Antall (1 000 personer)": 0},
                 caption=("Unge 15–29 år som verken er i arbeid eller utdanning ifølge arbeidskraftundersøkelsen (AKU). "
                          "Brudd i 2021. Kilde: SSB tabell 09858."))


def _europe_values(ch: Chapter) -> dict[str, str]:
    common = national.latest_common_year(ch.eu24, NORDIC_15_24)
    e24 = ch.eu24[ch.eu24["year"] == common].set_index("geo")
    last29 = int(ch.eu29["year"].max())
    e29 = ch.eu29[ch.eu29["year"] == last29].set_index("geo")
    nordic_29 = e29.loc[["NO", "SE", "DK", "FI"]].sort_values("share")
    return {
        "eu24_year": str(common), "eu24_no": fmt.percent(e24.loc["NO", "share"]),
        "eu24_se": fmt.percent(e24.loc["SE", "share"]), "eu24_dk": fmt.percent(e24.loc["DK", "share"]),
        "eu29_year": str(last29), "eu29_no": fmt.percent(e29.loc["NO", "share"]),
        "eu29_eu": fmt.percent(e29.loc["EU27_2020", "share"]), "eu29_nordic_low": nordic_29["country"].iloc[0],
    }


def show_nordic_15_24(ch: Chapter) -> None:
    """Norway, Sweden and Denmark, 15–24, with Eurostat's flags at the points."""
    report.figure(
        charts.flagged_lines(ch.eu24, ylabel="Andel av befolkningen 15–24 år", order=["Norge", "Sverige", "Danmark"],
                             flag_words=national.EUROSTAT_FLAGS, focus="Norge"),
        name="norden-15-24",
        caption=("Unge 15–24 år som verken er i arbeid eller utdanning, Norge, Sverige og Danmark. Bokstaver ved punktene "
                 "er Eurostats merker (b = brudd i serien, u = lav pålitelighet). Kilde: Eurostat edat_lfse_20 via EIGE; "
                 "årstallene for Norge er plassert etter rekkefølgen på kildesiden og bør kontrolleres mot Eurostat."),
        alt=("Linjediagram med én linje for hvert av de tre landene Norge, Sverige og Danmark, med Eurostats merker "
             "ved punktene."),
        data=ch.eu24[["year", "geo", "country", "share", "flag", "flag_text"]],
    )


def eurostat_breaks(eu24, eu29) -> tuple[tuple[int, str], ...]:
    """Eurostat's breaks in Norway's series (flag *b* in ``edat_lfse_20``, which the 15–24 series
    carries) within the years of the 15–29 series, whose source has no flags: ``((2006,
    "brudd 2006"), …)`` for the figure's vertical lines."""
    years = eu24.loc[(eu24["geo"] == "NO") & eu24["flag"].fillna("").str.contains("b"), "year"]
    first, last = int(eu29["year"].min()), int(eu29["year"].max())
    return tuple((int(y), f"brudd {int(y)}") for y in sorted(years) if first <= int(y) <= last)


def breaks_text(breaks) -> str:
    """``"2006 og 2021"`` for a caption."""
    return fmt.words(str(y) for y, _ in breaks)


def show_europe_15_29(ch: Chapter) -> None:
    """Norway, EU27 and other countries, 15–29, with the breaks of Norway's series."""
    eu29 = ch.eu29
    breaks = eurostat_breaks(ch.eu24, eu29)
    first, last = int(eu29["year"].min()), int(eu29["year"].max())
    others = [c for c in eu29["country"].unique() if c not in FOCUS_15_29]
    report.figure(
        charts.lines(eu29.assign(release="endelig"), hue="country", order=FOCUS_15_29 + others,
                     ylabel="Andel av befolkningen 15–29 år", preliminary=None,
                     colours={**{c: report.PALETTE[i] for i, c in enumerate(FOCUS_15_29)},
                              **{c: "#bbbbbb" for c in others}},
                     styles={"EU27": "--"}, breaks=breaks),
        name="europa-15-29",
        caption=(f"Unge 15–29 år som verken er i arbeid eller utdanning, Norge, EU27 og utvalgte land, "
                 f"{first}–{last}. Kilde: Eurostat edat_lfse_20, gjengitt fra en offentlig nettside; "
                 f"Eurostats merker er ikke med i kilden; de loddrette linjene markerer bruddene i Eurostats serie for "
                 f"Norge ({breaks_text(breaks)}), slik 15–24-årsserien merker dem."),
        alt=(f"Linjediagram med én linje per land og EU27 fra {first} til {last}; Norge er uthevet i "
             "blått og EU27 stiplet."),
        data=eu29,
    )


# --- the analysis note's long-term NEET -------------------------------------------------------------


def show_risk_profile() -> None:
    """The analysis note's risk profile of long-term NEET against other young people, its other
    figures as written, and its contradictions."""
    pairs = analysis_note.risk_profile_pairs()
    report.figure(
        charts.paired_bars(pairs, category="Kjennetegn", left="lneet", right="others",
                           left_label="Langtids-NEET", right_label="Andre unge",
                           left_text="lneet_text", right_text="others_text"),
        name="risikoprofil",
        caption=("Kjennetegn ved langtids-NEET og andre unge i Norge, slik analysenotatet oppgir dem. «Ikke oppgitt» "
                 "betyr at notatet ikke gir tallet for sammenligningsgruppen. «Om lag hver tredje» er tegnet som en "
                 "tredjedel. Kilde: analysenotatet, kapittel 3."),
        alt=("Parvise liggende stolper for fem kjennetegn; langtids-NEET har langt høyere andeler enn andre unge for "
             "manglende arbeidserfaring, helseytelser og barnevernstiltak."),
        data=pairs,
    )
    report.table(analysis_note.risk_profile_statements(), name="risikoprofil-tekst",
                 caption="Andre tall om risikoprofilen i analysenotatet, slik de er skrevet (kapittel 3).")
    for sentence in analysis_note.risk_profile_contradiction_notes():
        report.note(sentence, kind="warning", title="Motstridende tall i analysenotatet")


def show_age_and_income() -> None:
    """The points of the note's figure 2 that its text gives."""
    points = analysis_note.figure2_points()
    report.figure(
        charts.bars(points.assign(label=points["Gruppe"] + ", " + points["Alder"].astype(str) + " år"),
                    label="label", value="Andel langtids-NEET (%)"),
        name="alder-inntekt",
        caption=("Andel langtids-NEET etter alder og husholdningsinntekt blant unge som bor med minst én forelder, "
                 "Norge 2023 — de eneste punktene i notatets figur 2 som er skrevet i teksten. Kilde: analysenotatet, "
                 "kapittel 3.1."),
        alt=("Fire stolper: andelen langtids-NEET er lav ved 16 år og høyere ved 29 år, og mye høyere blant "
             "29-åringer fra husholdninger med lav inntekt enn fra husholdninger med høy inntekt."),
        data=points,
    )


def show_sources() -> None:
    """The chapter's sources, from the data catalog."""
    report.markdown("## Kilder\n\n" + "\n".join(f"- {data.source_of(d)}" for d in (
        national.NATIONAL_SEX_AGE, national.NATIONAL_IMMIGRANT, national.AKU, national.EUROSTAT_15_24,
        national.EUROSTAT_15_29, "seed000_figures")))
