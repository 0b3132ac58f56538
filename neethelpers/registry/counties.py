"""The county registry: the single declarative source of Norway's counties.

Everything that iterates over counties — the papermill runs of the county chapter,
the generated county entries of ``_toc.yml``, the ``--county`` option of the CLI —
reads :data:`COUNTIES`. Historical counties (19 until 2017, 18 in 2018–2019,
11 in 2020–2023) are kept so figures published on old borders can be labelled
with the county they were published for, never divided among successors.

Codes and validity periods follow SSB's county codes as transcribed in
``data/raw/county_codes.csv`` (see the data catalog).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from neethelpers.errors import UnknownCountyError

#: First and last statistics year covered by the shipped series.
FIRST_YEAR = 2008
CURRENT_STRUCTURE_FROM = 2024


@dataclass(frozen=True)
class County:
    """One county as it existed in a period of years.

    ``code`` is SSB's two-digit code, ``name`` the canonical Norwegian name used in
    the book, ``slug`` the URL-safe file name of its page, ``valid_from``/``valid_to``
    the first and last year it existed (``None`` = still exists), and ``predecessors``
    the codes of the counties (in the previous structure) whose municipalities it took
    over, wholly or in part.
    """

    code: str
    name: str
    slug: str
    valid_from: int
    valid_to: int | None
    predecessors: tuple[str, ...] = ()
    aliases: tuple[str, ...] = field(default=())

    @property
    def is_current(self) -> bool:
        return self.valid_to is None

    @property
    def key(self) -> str:
        """Unique identifier across structures, e.g. ``"30@2020"`` for Viken."""
        return f"{self.code}@{self.valid_from}"

    def valid_in(self, year: int) -> bool:
        return self.valid_from <= year and (self.valid_to is None or year <= self.valid_to)

    @property
    def period_text(self) -> str:
        """Norwegian description of the period, e.g. ``"2020–2023"`` or ``"fra 2024"``."""
        if self.valid_to is None:
            return f"fra {self.valid_from}"
        start = "før 2008" if self.valid_from <= FIRST_YEAR else str(self.valid_from)
        if self.valid_from <= FIRST_YEAR:
            return f"til og med {self.valid_to}"
        return f"{start}–{self.valid_to}"


def _c(code, name, slug, valid_from, valid_to, predecessors=(), aliases=()):
    return County(code, name, slug, valid_from, valid_to, tuple(predecessors), tuple(aliases))


# The 15 counties from 1 January 2024, in SSB's order. These are the book's county pages.
CURRENT_COUNTIES: tuple[County, ...] = (
    _c("31", "Østfold", "ostfold", 2024, None, ["30", "01"]),
    _c("32", "Akershus", "akershus", 2024, None, ["30", "02"]),
    _c("33", "Buskerud", "buskerud", 2024, None, ["30", "06"]),
    _c("03", "Oslo", "oslo", 2020, None, ["03"], ["Oslo - Oslove", "Oslove"]),
    _c("34", "Innlandet", "innlandet", 2020, None, ["04", "05"], ["Innlandet - Innlaante"]),
    _c("39", "Vestfold", "vestfold", 2024, None, ["38", "07"]),
    _c("40", "Telemark", "telemark", 2024, None, ["38", "08"]),
    _c("42", "Agder", "agder", 2020, None, ["09", "10"]),
    _c("11", "Rogaland", "rogaland", 2020, None, ["11"]),
    _c("46", "Vestland", "vestland", 2020, None, ["12", "14"]),
    _c("15", "Møre og Romsdal", "more-og-romsdal", 2020, None, ["15"]),
    _c("50", "Trøndelag", "trondelag", 2018, None, ["16", "17"], ["Trøndelag - Trööndelage"]),
    _c("18", "Nordland", "nordland", 2020, None, ["18"], ["Nordland - Nordlánnda"]),
    _c("55", "Troms", "troms", 2024, None, ["54", "19"], ["Troms - Romsa - Tromssa"]),
    _c("56", "Finnmark", "finnmark", 2024, None, ["54", "20"], ["Finnmark - Finnmárku - Finmarkku"]),
)

# Counties of the 2020–2023 structure that no longer exist.
COUNTIES_2020_2023: tuple[County, ...] = (
    _c("30", "Viken", "viken", 2020, 2023, ["01", "02", "06"]),
    _c("38", "Vestfold og Telemark", "vestfold-og-telemark", 2020, 2023, ["07", "08"]),
    _c("54", "Troms og Finnmark", "troms-og-finnmark", 2020, 2023, ["19", "20"],
       ["Troms og Finnmark - Romsa ja Finnmárku"]),
)

# Counties of the 19-county structure (2018–2019: 18, with Trøndelag) that no longer exist.
# Codes 03, 11, 15, 18 continued with the same code in 2020; they are listed here with
# their pre-2020 period because their borders changed on 1 January 2020.
COUNTIES_BEFORE_2020: tuple[County, ...] = (
    _c("01", "Østfold", "ostfold-1919", FIRST_YEAR, 2019),
    _c("02", "Akershus", "akershus-1919", FIRST_YEAR, 2019),
    _c("03", "Oslo", "oslo-1919", FIRST_YEAR, 2019),
    _c("04", "Hedmark", "hedmark", FIRST_YEAR, 2019),
    _c("05", "Oppland", "oppland", FIRST_YEAR, 2019),
    _c("06", "Buskerud", "buskerud-1919", FIRST_YEAR, 2019),
    _c("07", "Vestfold", "vestfold-1919", FIRST_YEAR, 2019),
    _c("08", "Telemark", "telemark-1919", FIRST_YEAR, 2019),
    _c("09", "Aust-Agder", "aust-agder", FIRST_YEAR, 2019),
    _c("10", "Vest-Agder", "vest-agder", FIRST_YEAR, 2019),
    _c("11", "Rogaland", "rogaland-1919", FIRST_YEAR, 2019),
    _c("12", "Hordaland", "hordaland", FIRST_YEAR, 2019),
    _c("14", "Sogn og Fjordane", "sogn-og-fjordane", FIRST_YEAR, 2019, (), ["Sogn-og-fjordane"]),
    _c("15", "Møre og Romsdal", "more-og-romsdal-1919", FIRST_YEAR, 2019),
    _c("16", "Sør-Trøndelag", "sor-trondelag", FIRST_YEAR, 2017),
    _c("17", "Nord-Trøndelag", "nord-trondelag", FIRST_YEAR, 2017),
    _c("18", "Nordland", "nordland-1919", FIRST_YEAR, 2019, (), ["Nordland-Nordlándda"]),
    _c("19", "Troms", "troms-1919", FIRST_YEAR, 2019, (), ["Troms-Romssa", "Troms - Romsa"]),
    _c("20", "Finnmark", "finnmark-1919", FIRST_YEAR, 2019, (), ["Finnmark-Finnmárkku", "Finnmark - Finnmárku"]),
)

#: Every county the registry knows, current ones first.
COUNTIES: tuple[County, ...] = CURRENT_COUNTIES + COUNTIES_2020_2023 + COUNTIES_BEFORE_2020

NATIONAL_CODE = "0"
NATIONAL_NAME = "Hele landet"

# Why a historical county is no longer a valid choice, in Norwegian for readers and
# English-speaking analysts alike (the CLI prints it).
_HISTORY = {
    "30@2020": "Viken existed 2020–2023 and was split into Østfold, Akershus and Buskerud in 2024",
    "38@2020": "Vestfold og Telemark existed 2020–2023 and was split into Vestfold and Telemark in 2024",
    "54@2020": "Troms og Finnmark existed 2020–2023 and was split into Troms and Finnmark in 2024",
    "01@2008": "Østfold (code 01) was merged into Viken in 2020; today's Østfold has code 31",
    "02@2008": "Akershus (code 02) was merged into Viken in 2020; today's Akershus has code 32",
    "04@2008": "Hedmark existed until 2019 and was merged with Oppland into Innlandet in 2020",
    "05@2008": "Oppland existed until 2019 and was merged with Hedmark into Innlandet in 2020 "
    "(Jevnaker and Lunner went to Viken)",
    "06@2008": "Buskerud (code 06) was merged into Viken in 2020; today's Buskerud has code 33",
    "07@2008": "Vestfold (code 07) was merged into Vestfold og Telemark in 2020; today's Vestfold has code 39",
    "08@2008": "Telemark (code 08) was merged into Vestfold og Telemark in 2020; today's Telemark has code 40",
    "09@2008": "Aust-Agder existed until 2019 and was merged with Vest-Agder into Agder in 2020",
    "10@2008": "Vest-Agder existed until 2019 and was merged with Aust-Agder into Agder in 2020",
    "12@2008": "Hordaland existed until 2019 and was merged with most of Sogn og Fjordane into Vestland in 2020",
    "14@2008": "Sogn og Fjordane existed until 2019 and was merged into Vestland in 2020 "
    "(Hornindal went to Møre og Romsdal)",
    "16@2008": "Sør-Trøndelag existed until 2017 and was merged with Nord-Trøndelag into Trøndelag in 2018",
    "17@2008": "Nord-Trøndelag existed until 2017 and was merged with Sør-Trøndelag into Trøndelag in 2018",
    "19@2008": "Troms (code 19) was merged into Troms og Finnmark in 2020; today's Troms has code 55",
    "20@2008": "Finnmark (code 20) was merged into Troms og Finnmark in 2020; today's Finnmark has code 56",
}


def history(county: County) -> str | None:
    """A sentence explaining what became of a historical county (``None`` for current ones)."""
    return _HISTORY.get(county.key)


def fold(text: str) -> str:
    """Normalise a county name for matching: lower case, Norwegian letters spelled out
    in ASCII (``ø``→``o``, ``æ``→``ae``, ``å``→``a``), hyphens and spaces collapsed."""
    text = text.strip().lower()
    text = text.replace("ø", "o").replace("æ", "ae").replace("å", "a")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.replace("-", " ").replace("_", " ").split())


def _normalise_code(text: str) -> str | None:
    """``"31"``, ``"3100"`` and ``"F-31"`` all mean county code ``"31"``."""
    raw = text.strip().upper()
    if raw.startswith("F-"):
        raw = raw[2:]
    if not raw.isdigit():
        return None
    if len(raw) == 4 and raw.endswith("00"):
        raw = raw[:2]
    if len(raw) == 1:
        raw = "0" + raw
    return raw if len(raw) == 2 else None


def current_counties() -> tuple[County, ...]:
    """The 15 counties of today's structure, in SSB's order."""
    return CURRENT_COUNTIES


def counties_in(year: int) -> tuple[County, ...]:
    """The counties that existed in ``year``."""
    return tuple(c for c in COUNTIES if c.valid_in(year))


def by_code(code: str, year: int | None = None) -> County:
    """The county with SSB code ``code`` in ``year`` (default: today's structure)."""
    norm = _normalise_code(str(code))
    if norm is None:
        raise UnknownCountyError(f"{code!r} is not a county code (expected two digits, e.g. '31')")
    year = CURRENT_STRUCTURE_FROM if year is None else year
    for county in COUNTIES:
        if county.code == norm and county.valid_in(year):
            return county
    raise UnknownCountyError(f"no county had code {norm!r} in {year}; {_valid_hint()}")


def _valid_hint(sentence_start: bool = False) -> str:
    names = ", ".join(c.name for c in CURRENT_COUNTIES)
    return f"{'Valid' if sentence_start else 'valid'} counties are: {names}"


def resolve(text: str, *, current_only: bool = True) -> County:
    """Find a county from a code (``"31"``, ``"3100"``) or a name in any case, with or
    without Norwegian letters (``"ostfold"``, ``"ØSTFOLD"``, ``"Østfold"``).

    With ``current_only`` (the default) a historical county raises
    :class:`UnknownCountyError` explaining what became of it.
    """
    if not str(text).strip():
        raise UnknownCountyError(f"empty county name; {_valid_hint()}")
    code = _normalise_code(str(text))
    candidates: list[County] = []
    if code is not None:
        candidates = [c for c in COUNTIES if c.code == code]
    else:
        wanted = fold(str(text))
        for county in COUNTIES:
            names = (county.name, county.slug, *county.aliases)
            if any(fold(n) == wanted for n in names):
                candidates.append(county)
    if not candidates:
        raise UnknownCountyError(f"unknown county {text!r}; {_valid_hint()}")
    current = [c for c in candidates if c.is_current]
    if current:
        return current[0]
    if current_only:
        explanation = history(candidates[0]) or f"{candidates[0].name} no longer exists"
        raise UnknownCountyError(f"{text!r}: {explanation}. {_valid_hint(sentence_start=True)}")
    return candidates[0]


def successors(county: County) -> tuple[County, ...]:
    """Counties of the next structure that took over (part of) ``county``'s area."""
    if county.valid_to is None:
        return ()
    nxt = county.valid_to + 1
    return tuple(c for c in COUNTIES if c.valid_from == nxt and county.code in c.predecessors)


def predecessor_in(county: County, year: int) -> tuple[County, ...]:
    """The county or counties of ``year``'s structure that ``county`` descends from.

    Used to label earlier figures ("Viken, 2020–2023") on a current county's page; such a
    figure belongs to the predecessor and is never divided among its successors. Borders
    may differ: a predecessor can be larger (Viken) or miss a few municipalities.
    """
    if county.valid_in(year):
        return (county,)
    return tuple(c for c in COUNTIES if c.code in county.predecessors and c.valid_in(year) and c is not county)
