"""The county profile sections of a county page (issue 15): key figures, barometer, trend,
similar counties, expected against observed, municipalities and what works — and the
ranking with intervals and trend markers for the overview page.

:func:`profile` returns, for one county, a :class:`Section` per part of the page, each with
the glue values (ready Norwegian text), the tables (frame shown, data for the CSV, caption)
and the figures (a function drawing it, caption, alt text, data) the template needs, plus
Norwegian prose that uses only the glue names. :func:`show` glues and displays a section;
the template notebook can put ``section.text`` in a Markdown cell instead (``with_text=False``).

All statistics come from the tested functions in :mod:`neethelpers.series` (intervals,
barometer, trend, standardise, similar, small_areas, what_works).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from neethelpers.presentation import fmt, profile_charts, report
from neethelpers.registry import counties
from neethelpers.series import (
    barometer,
    county as county_series,
    intervals,
    similar,
    small_areas,
    standardise,
    trend,
    what_works,
)


@dataclass
class Table:
    name: str
    frame: pd.DataFrame  # shown
    caption: str
    data: pd.DataFrame  # CSV download


@dataclass
class Figure:
    name: str
    draw: Callable[[], object]
    caption: str
    alt: str
    data: pd.DataFrame


@dataclass
class Section:
    heading: str  # Norwegian section heading (without ##)
    text: str = ""  # Markdown using {glue:md}`name` for every number
    glue: dict[str, str] = field(default_factory=dict)
    tables: list[Table] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # shown as notes after the tables and figures
    missing: list[str] = field(default_factory=list)  # gaps in the data, shown as «Tall mangler»


def show(section: Section, with_text: bool = True, heading_level: int = 2) -> None:
    """Glue every value, then show the heading and text (if ``with_text``), the figures,
    tables, notes and missing-data sentences of a section. ``heading_level=0``: no heading
    (the notebook has it as a Markdown cell)."""
    for k, v in section.glue.items():
        report.glue_text(k, v)
    if with_text:
        head = f"{'#' * heading_level} {section.heading}\n\n" if section.heading and heading_level else ""
        report.markdown(head + section.text)
    for f in section.figures:
        report.figure(f.draw(), name=f.name, caption=f.caption, alt=f.alt, data=f.data)
    for t in section.tables:
        report.table(t.frame, name=t.name, caption=t.caption, data=t.data)
    for n in section.notes:
        report.note(n, kind="note")
    for m in section.missing:
        report.missing(m)


def _pct(v: float) -> str:
    return fmt.percent(v)


def _share_intervals(frame: pd.DataFrame) -> list[str]:
    """``"11,7 (11,5–12,0) %"`` for every row's ``share`` with its ``lower``–``upper`` interval."""
    return [intervals.interval_text(s, a, b) + " %" for s, a, b in zip(frame["share"], frame["lower"], frame["upper"])]


# --- key figures ----------------------------------------------------------------------------


def _county_comparison(code: str, year: int) -> intervals.Comparison:
    cs = county_series.county_series()
    r = cs[(cs["county_code"] == code) & (cs["year"] == year)].iloc[0]
    n = county_series.national_series().set_index("year").loc[year]
    return intervals.compare_to_rest(int(r["neet"]), int(r["residents"]), int(n["neet"]), int(n["residents"]))


def _headline_sentence(county: counties.County, h: county_series.Headline, verdict_words: str,
                       trend_words: str, trend_years: str) -> str:
    """The page's first sentence. It leads with the newest year SSB has published: where that
    year has only a final share (2024), the share is given as SSB's final figure, labelled, and
    the verdict and trend — which need counts — are said for the newest year with final counts,
    so preliminary counts never stand next to a final share."""
    newest = county_series.newest_final_share(county.code)
    tested = (f"{verdict_words} resten av landet, og {'andelen' if newest is None else 'den'} var {trend_words} "
              f"de siste fem årene ({trend_years}).")
    if newest is None:
        return f"I {h.year} var {_pct(h.share)} av de unge i {county.name} utenfor arbeid, utdanning og tiltak, " + tested
    return (f"I {newest.year} var {_pct(newest.share)} av de unge i {county.name} utenfor arbeid, utdanning og tiltak "
            f"({newest.source_words}), {county_series.rank_text(newest.rank, newest.n_counties, newest.lowest)} av "
            f"de {newest.n_counties} fylkene{', delt med ' + fmt.words(newest.tied_with) if newest.tied_with else ''}. "
            f"Med endelige antall for {h.year}, det nyeste året med antall, var andelen "
            f"{_pct(h.share)}, " + tested)


def key_figures(county: counties.County) -> Section:
    """Share, count, rank, trend and verdict for the newest final year, and the headline
    sentence that says the trend and the verdict."""
    h = county_series.headline(county.code)
    comp = _county_comparison(county.code, h.year)
    t = trend.county_trend(county.code, h.year)
    ch = trend.county_change(county.code, h.year)
    g = {
        "kf_year": str(h.year),
        "kf_share": _pct(h.share),
        "kf_interval": f"{fmt.number(comp.lower, 1)}–{fmt.number(comp.upper, 1)}",
        "kf_count": fmt.count(h.neet),
        "kf_residents": fmt.count(h.residents),
        "kf_rank": f"{h.rank} av {h.n_counties}",
        "kf_rank_text": county_series.rank_text(h.rank, h.n_counties),
        "kf_national": _pct(h.national_share),
        "kf_trend": t.text,
        "kf_trend_word": t.direction,
        "kf_trend_years": fmt.year_range(t.first_year, t.last_year),
        "kf_verdict": f"{comp.symbol} {comp.verdict}",
        "kf_verdict_word": comp.verdict,
        "kf_change": fmt.points(ch.diff, signed=True),
        "kf_change_interval": intervals.interval_text(ch.diff, ch.lower, ch.upper),
        "kf_previous_year": str(ch.previous_year),
    }
    trend_words = {trend.RISING: "økende", trend.FALLING: "synkende",
                   trend.FLAT: "uten signifikant endring"}[t.direction]
    verdict_words = {intervals.BETTER: "signifikant lavere enn", intervals.WORSE: "signifikant høyere enn",
                     intervals.SAME: "ikke signifikant forskjellig fra"}[comp.verdict]
    g["kf_headline"] = _headline_sentence(county, h, verdict_words, trend_words,
                                          fmt.year_range(t.first_year, t.last_year))
    shown = pd.DataFrame({
        "Nøkkeltall": ["Andel unge 15–29 år utenfor (95 % KI)", "Antall unge utenfor", "Rangering (1 = høyest andel)",
                       f"Utvikling {fmt.year_range(t.first_year, t.last_year)}",
                       f"Endring fra {ch.previous_year} (prosentpoeng, 95 % KI)", "Sammenlignet med resten av landet"],
        f"{county.name} {h.year}": [f"{g['kf_share']} ({g['kf_interval']})", g["kf_count"], g["kf_rank"],
                                    g["kf_trend"], g["kf_change_interval"], g["kf_verdict"]],
    })
    data = pd.DataFrame([{
        "county_code": county.code, "county_name": county.name, "year": h.year, "neet": h.neet,
        "residents": h.residents, "share": h.share, "lower": comp.lower, "upper": comp.upper,
        "rest_of_country_share": comp.reference_share, "p_value": comp.p_value, "verdict": comp.verdict,
        "rank": h.rank, "n_counties": h.n_counties, "trend_first_year": t.first_year, "trend_last_year": t.last_year,
        "trend_log_odds_per_year": t.slope, "trend_p_value": t.p_value, "trend": t.direction,
        "change_points": ch.diff, "change_lower": ch.lower, "change_upper": ch.upper,
    }])
    return Section(
        heading="",
        text="{glue:md}`kf_headline`",
        glue=g,
        tables=[Table("nokkeltall", shown, f"Nøkkeltall for {county.name}, {h.year}. Kilde: SSB tabell 13556, "
                      "kommunetall summert til dagens fylkesgrenser.", data)],
        notes=[intervals.VERDICT_KEY + ". Utvikling: ↗ økende, ↘ synkende, → ingen signifikant endring "
               "(logistisk regresjon på år, 5 % nivå)."],
    )


# --- barometer ----------------------------------------------------------------------------


def barometer_section(county: counties.County) -> Section:
    rows = barometer.barometer(county.code)
    year = int(rows.loc[rows["indicator"] == "neet", "year"].iloc[0])
    # rows from another year than the NEET rows (NAV) carry their year in the chart label
    shorts = [barometer.BY_KEY[k].short + ("" if int(y) == year else f" ({int(y)})")
              for k, y in zip(rows["indicator"], rows["year"])]
    n_worse = int((rows["verdict"] == intervals.WORSE).sum())
    n_better = int((rows["verdict"] == intervals.BETTER).sum())
    g = {"baro_year": str(year), "baro_n": str(len(rows)), "baro_worse": str(n_worse), "baro_better": str(n_better),
         "baro_same": str(len(rows) - n_worse - n_better)}
    text = (
        f"Barometeret viser de samme indikatorene for alle fylkene, med samme år og kilde for alle 15, slik at "
        f"fylkene kan sammenlignes rad for rad. NEET-tallene gjelder {{glue:md}}`baro_year`, det eneste året SSB har "
        "tall etter kjønn, alder og innvandringsbakgrunn for alle dagens fylker. Hver verdi har et 95 % "
        "konfidensintervall, og vurderingen bygger på en test av forskjellen mot resten av landet. "
        f"{county.name} er signifikant dårligere på {{glue:md}}`baro_worse`, signifikant bedre på "
        "{glue:md}`baro_better` og ikke signifikant forskjellig på {glue:md}`baro_same` av de "
        "{glue:md}`baro_n` indikatorene."
    )
    data = rows.drop(columns=["label"]).rename(columns={"x": "count", "n": "denominator"})
    return Section(
        heading="Fylkesbarometer",
        text=text,
        glue=g,
        figures=[Figure(
            "barometer-figur", lambda: profile_charts.barometer(rows, shorts),
            f"Fylkesbarometer for {county.name}: hver indikator som fylkets verdi i prosent av landets (100 = landet), "
            "med 95 % konfidensintervall. ▲ signifikant bedre, ● ikke signifikant forskjellig, ▼ signifikant "
            "dårligere enn resten av landet. Kilde: SSB tabell 13556 og 13563, NAV.",
            f"Punktdiagram med én rad per indikator for {county.name}; punktets form og farge viser om fylket er "
            f"signifikant bedre, ikke forskjellig eller dårligere enn resten av landet: {n_worse} dårligere, "
            f"{n_better} bedre.",
            data)],
        tables=[Table("barometer", barometer.display_table(rows),
                      f"Fylkesbarometer for {county.name} med 95 % konfidensintervall (Wilson), landets verdi og "
                      "vurdering mot resten av landet. ‰ = per 1 000.", data)],
        notes=[barometer.method_note()],
        missing=barometer.omitted(),
    )


# --- trend ----------------------------------------------------------------------------------


def trend_section(county: counties.County) -> Section:
    h = county_series.headline(county.code)
    t = trend.county_trend(county.code, h.year)
    ch = trend.county_change(county.code, h.year)
    cs = county_series.county_series()
    d = cs[(cs["county_code"] == county.code) & cs["year"].between(t.first_year, t.last_year)].copy()
    lo, hi = intervals.wilson(d["neet"], d["residents"])
    d["lower"], d["upper"] = lo, hi
    g = {"trend_years": fmt.year_range(t.first_year, t.last_year), "trend_text": t.text,
         "trend_first": _pct(t.first_share), "trend_last": _pct(t.last_share),
         "trend_change_year": str(ch.year), "trend_previous_year": str(ch.previous_year),
         "trend_change": intervals.interval_text(ch.diff, ch.lower, ch.upper),
         "trend_change_words": ("en signifikant økning" if ch.significant and ch.diff > 0 else
                                "en signifikant nedgang" if ch.significant else "ingen signifikant endring")}
    text = (
        "Utviklingen de siste fem årene med endelige tall ({glue:md}`trend_years`), fra {glue:md}`trend_first` til "
        "{glue:md}`trend_last`: **{glue:md}`trend_text`** (logistisk regresjon på år, 5 % nivå). Fra "
        "{glue:md}`trend_previous_year` til {glue:md}`trend_change_year` var endringen {glue:md}`trend_change` "
        "prosentpoeng (95 % konfidensintervall i parentes), altså {glue:md}`trend_change_words`."
    )
    shown = pd.DataFrame({"År": d["year"].astype(int), "Bosatte 15–29 år": d["residents"].astype(int),
                          "Utenfor (antall)": d["neet"].astype(int),
                          "Andel (95 % KI)": _share_intervals(d)})
    data = d[["year", "county_code", "county_name", "residents", "neet", "share", "lower", "upper", "release"]]
    return Section(heading="Utviklingen de siste fem årene", text=text, glue=g,
                   tables=[Table("trend", shown, f"Unge 15–29 år utenfor arbeid, utdanning og tiltak i {county.name}, "
                                 f"{g['trend_years']}, med 95 % konfidensintervall (Wilson). Kilde: SSB tabell 13556.",
                                 data)])


# --- similar counties ---------------------------------------------------------------------


def similar_section(county: counties.County) -> Section:
    sim = similar.similar(county.code)
    nat = barometer.all_counties()
    nat_share = float(nat.loc[nat["indicator"] == "neet", "national"].iloc[0])
    names = sim["county_name"].iloc[1:].tolist()
    g = {"similar_names": f"{names[0]}, {names[1]} og {names[2]}", "similar_year": str(int(sim["year"].iloc[0]))}
    labels = similar.INDICATOR_LABELS
    text = (
        f"Fylkene som ligner mest på {county.name} i sammensetningen av de unge, er {{glue:md}}`similar_names`. "
        "Likheten er målt på tre indikatorer: " + ", ".join(v[0].lower() + v[1:] for v in labels.values())
        + " ({glue:md}`similar_year`). Hver indikator er standardisert over de 15 fylkene, og avstanden er den "
        "euklidske avstanden mellom de standardiserte verdiene. NEET-andelen er ikke med i målet, så den kan "
        "sammenlignes mellom fylkene."
    )
    shown = pd.DataFrame({
        "Fylke": sim["county_name"], "Avstand": [fmt.number(v, 2) for v in sim["distance"]],
        **{lab: [fmt.number(v, 1) for v in sim[k]] for k, lab in labels.items()},
        "Andel utenfor (95 % KI)": _share_intervals(sim),
        "Mot resten av landet": [f"{s} {v}" for s, v in zip(sim["symbol"], sim["verdict"])],
    })
    return Section(
        heading="Fylker som ligner", text=text, glue=g,
        figures=[Figure("lignende-figur", lambda: profile_charts.similar(sim, nat_share),
                        f"Andel unge 15–29 år utenfor arbeid, utdanning og tiltak i {county.name} og de tre fylkene som "
                        f"ligner mest, {g['similar_year']}, med 95 % konfidensintervall. Stiplet linje: hele landet. "
                        "Kilde: SSB tabell 13556 og 13563.",
                        f"Punktdiagram med {county.name} og {g['similar_names']}; hvert punkt er fylkets andel unge "
                        "utenfor med konfidensintervall.", sim)],
        tables=[Table("lignende", shown, f"{county.name} og de tre mest like fylkene: indikatorene likheten er målt på, "
                      "avstand (standardisert euklidsk) og andel unge utenfor. Kilde: SSB tabell 13556 og 13563.", sim)],
    )


# --- expected against observed --------------------------------------------------------------


def expected_section(county: counties.County) -> Section:
    parts = {by: standardise.county(county.code, by) for by in (standardise.BY_SEX_AGE, standardise.BY_IMMIGRANT)}
    sa = parts[standardise.BY_SEX_AGE]
    g = {"exp_year": str(sa.year), "exp_observed": _pct(sa.observed_share), "exp_expected": _pct(sa.expected_share),
         "exp_ratio": intervals.interval_text(sa.ratio, sa.lower, sa.upper, 2),
         "exp_sentence_sex_age": standardise.sentence(sa, county.name),
         "exp_sentence_immigrant": standardise.sentence(parts[standardise.BY_IMMIGRANT], county.name)}
    text = (
        "Forventet andel er andelen fylket ville hatt hvis de unge i hver gruppe hadde hatt landets andel "
        "(indirekte standardisering, {glue:md}`exp_year`). {glue:md}`exp_sentence_sex_age` "
        "{glue:md}`exp_sentence_immigrant` SSB publiserer ikke kjønn, alder og innvandringsbakgrunn krysset per "
        "fylke, så de to standardiseringene er gjort hver for seg."
    )
    rows = []
    for by, s in parts.items():
        rows.append({"Standardisert etter": by, "Observert andel": _pct(s.observed_share),
                     "Forventet andel": _pct(s.expected_share), "Landet": _pct(s.national_share),
                     "Observert antall": fmt.count(s.observed), "Forventet antall": fmt.number(s.expected, 0),
                     "Forhold O/F (95 % KI)": intervals.interval_text(s.ratio, s.lower, s.upper, 2),
                     "Forklart av sammensetning (prosentpoeng)": fmt.signed(s.composition_points)})
    data = pd.concat([standardise.all_counties(by) for by in parts], ignore_index=True)
    all_sa = standardise.all_counties(standardise.BY_SEX_AGE)
    return Section(
        heading="Forventet og observert", text=text, glue=g,
        tables=[Table("forventet", pd.DataFrame(rows),
                      f"Observert og forventet andel unge utenfor i {county.name}, {sa.year}, standardisert etter kjønn "
                      "og alder og etter innvandringsbakgrunn. Intervallet for forholdet er eksakt Poisson. CSV-fila "
                      "har alle fylkene. Kilde: SSB tabell 13556 og 13563.", data)],
        figures=[Figure("forventet-figur", lambda: profile_charts.standardised(all_sa, county.name),
                        f"Forholdet mellom observert og forventet antall unge utenfor, standardisert etter kjønn og "
                        f"alder, alle fylker {sa.year}, med 95 % konfidensintervall (eksakt Poisson). 1 = som ventet ut "
                        f"fra landets andeler. {county.name} er uthevet. Kilde: SSB tabell 13556.",
                        f"Punktdiagram med ett punkt per fylke sortert etter forholdet observert/forventet; "
                        f"{county.name} er uthevet.", all_sa)],
    )


# --- municipalities ---------------------------------------------------------------------------


def municipalities_section(county: counties.County) -> Section:
    m = small_areas.three_year(county.code)
    years = m.attrs["years"]
    prelim = m.attrs["preliminary"]
    n_diff = int((m["comparison"] != small_areas.NOT_DIFFERENT).sum())
    g = {"muni3_years": fmt.year_range(years[0], years[-1]), "muni3_n": str(len(m)), "muni3_diff": str(n_diff),
         "muni3_same": str(len(m) - n_diff), "muni3_county": _pct(float(m["county_share"].iloc[0]))}
    prelim_text = f" Tallene for {', '.join(map(str, prelim))} er foreløpige." if prelim else ""
    text = (
        "Kommunetallene er slått sammen for tre år ({glue:md}`muni3_years`), slik at små kommuner ikke rangeres på "
        "tilfeldige svingninger, og hver kommune har et 95 % konfidensintervall. Av {glue:md}`muni3_n` kommuner "
        "har {glue:md}`muni3_same` et intervall som omfatter fylkets andel ({glue:md}`muni3_county`), og regnes "
        "som ikke forskjellige fra fylket; {glue:md}`muni3_diff` ligger signifikant over eller under."
        + prelim_text
    )
    shown = pd.DataFrame({
        "Kommune": m["municipality_name"], "År": m["years_used"], "Bosatte 15–29 år (sum)": m["residents"],
        "Utenfor (sum)": m["neet"],
        "Andel (95 % KI)": _share_intervals(m),
        "Sammenlignet med fylket": m["comparison"],
    })
    return Section(
        heading="Kommunene over tre år", text=text, glue=g,
        figures=[Figure("kommuner-tre-aar-figur", lambda: profile_charts.municipalities(m, float(m["county_share"].iloc[0]),
                                                                                    county.name),
                        f"Andel unge 15–29 år utenfor arbeid, utdanning og tiltak i kommunene i {county.name}, "
                        f"{g['muni3_years']} samlet, med 95 % konfidensintervall (Wilson). Stiplet linje: fylket. "
                        "▼ høyere enn fylket, ● ikke forskjellig, ▲ lavere enn fylket. Kilde: SSB tabell 13556.",
                        f"Punktdiagram med én rad per kommune i {county.name}, sortert etter andel; små kommuner har "
                        "lange intervaller.", m)],
        tables=[Table("kommuner-tre-aar", shown, f"Kommunene i {county.name}, {g['muni3_years']} samlet. «År» viser "
                      "årene tallet bygger på (færre der en kommune er delt). Kilde: SSB tabell 13556.", m)],
    )


# --- what works -----------------------------------------------------------------------------------


def what_works_section(county: counties.County) -> Section:
    lines = what_works.lines(county.code)
    t = what_works.table(county.code)
    shown = pd.DataFrame({"Tema": t["title"], "Funn om NEET": t["n_findings"], "Studier": t["n_studies"],
                          "Funn om økt risiko": t["n_risk"], "Dokumentasjon": t["strength"],
                          "Tiltak i alt": t["n_measures"],
                          "Tiltak med positiv effekt": [len(m.split("; ")) if m else 0 for m in t["measures_positive"]]})
    text = ("For temaene i barometeret som forskningen knytter til NEET, viser listen hvor sterk dokumentasjonen er "
            "og hvilke tiltak som har vist positiv effekt.\n\n" + "\n".join(f"- {line}" for line in lines))
    return Section(heading="Hva virker", text=text,
                   tables=[Table("hva-virker", shown, "Temaer i barometeret og i forskningen om NEET: antall funn og "
                                 "studier, samlet dokumentasjon og antall tiltak. Kilde: litteraturkapitlets "
                                 "datagrunnlag (funn og tiltak).", t)],
                   notes=["Dokumentasjonen er «sterk» når minst fem funn fra minst tre studier peker samme vei (minst "
                          "80 %), «moderat» ved minst to funn fra to studier, ellers «svak». Tiltakenes dokumentasjon "
                          "er slik litteraturkapitlet vurderer den."])


# --- the whole profile and the overview ---------------------------------------------------------


@dataclass
class Profile:
    county: counties.County
    key_figures: Section
    barometer: Section
    trend: Section
    similar: Section
    expected: Section
    municipalities: Section
    what_works: Section


def profile(county: str) -> Profile:
    """Every profile section for a current county (name or code)."""
    c = counties.resolve(county)
    return Profile(c, key_figures(c), barometer_section(c), trend_section(c), similar_section(c),
                   expected_section(c), municipalities_section(c), what_works_section(c))


def ranking_frame(year: int | None = None) -> pd.DataFrame:
    """All counties in ``year`` (default newest final): share with Wilson interval, verdict
    against the rest of the country and trend marker over the five years up to ``year``."""
    rank = county_series.ranking(year)
    year = int(rank["year"].iloc[0])
    trends = trend.all_trends(year).set_index("county_code")
    rows = []
    for r in rank.itertuples():
        c = _county_comparison(r.county_code, year)
        rows.append({"year": year, "county_code": r.county_code, "county_name": r.county_name,
                     "residents": r.residents, "neet": r.neet, "share": r.share, "lower": c.lower, "upper": c.upper,
                     "rest_of_country_share": c.reference_share, "p_value": c.p_value, "verdict": c.verdict,
                     "verdict_symbol": c.symbol, "rank": r.rank, "trend": trends.loc[r.county_code, "direction"],
                     "trend_symbol": trends.loc[r.county_code, "symbol"],
                     "trend_p_value": trends.loc[r.county_code, "p_value"]})
    return pd.DataFrame(rows)


def overview_ranking(year: int | None = None) -> Section:
    """The overview page's ranking with 95 % intervals, verdicts and trend markers."""
    d = ranking_frame(year)
    year = int(d["year"].iloc[0])
    nat = county_series.national_series().set_index("year").loc[year, "share"]
    t = trend.all_trends(year)
    g = {"rank_year": str(year), "rank_trend_years": fmt.year_range(int(t["first_year"].iloc[0]), year),
         "rank_worse": fmt.counted(int((d["verdict"] == intervals.WORSE).sum()), "fylke", "fylker"),
         "rank_better": fmt.counted(int((d["verdict"] == intervals.BETTER).sum()), "fylke", "fylker"),
         "rank_falling": fmt.counted(int((d["trend"] == trend.FALLING).sum()), "fylke", "fylker"),
         "rank_rising": fmt.counted(int((d["trend"] == trend.RISING).sum()), "fylke", "fylker")}
    text = (
        "I {glue:md}`rank_year` lå {glue:md}`rank_worse` signifikant over og {glue:md}`rank_better` "
        "signifikant under resten av landet. Over {glue:md}`rank_trend_years` var andelen signifikant synkende i "
        "{glue:md}`rank_falling` og signifikant økende i {glue:md}`rank_rising`."
    )
    shown = pd.DataFrame({
        "Rang (1 = høyest andel)": d["rank"], "Fylke": d["county_name"],
        "Andel (95 % KI)": _share_intervals(d),
        "Mot resten av landet": [f"{s} {v}" for s, v in zip(d["verdict_symbol"], d["verdict"])],
        "Utvikling": [f"{s} {v}" for s, v in zip(d["trend_symbol"], d["trend"])],
    })
    return Section(
        heading=f"Fylkene rangert, med usikkerhet og utvikling ({year})", text=text, glue=g,
        figures=[Figure("rangering-ki-figur", lambda: profile_charts.ranking(d, float(nat)),
                        f"Andel unge 15–29 år utenfor arbeid, utdanning og tiltak per fylke i {year} med 95 % "
                        "konfidensintervall. Form og farge: ▲ signifikant bedre, ● ikke signifikant forskjellig, "
                        "▼ signifikant dårligere enn resten av landet. Pil etter navnet: utviklingen de siste fem årene "
                        "(↗ økende, ↘ synkende, → ingen signifikant endring). Kilde: SSB tabell 13556.",
                        f"Punktdiagram med de {len(d)} fylkene sortert etter andel, hvert med konfidensintervall, "
                        "markør for vurdering mot resten av landet og pil for utviklingen.", d)],
        tables=[Table("rangering-ki", shown, f"Fylkene rangert etter andel unge utenfor i {year}, med 95 % "
                      "konfidensintervall, vurdering og utvikling. Kilde: SSB tabell 13556.", d)],
        notes=[intervals.VERDICT_KEY + ". Utvikling: ↗ økende, ↘ synkende, → ingen signifikant endring."],
    )
