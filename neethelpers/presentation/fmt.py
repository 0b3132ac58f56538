"""Norwegian (bokmål) number formatting for everything a reader sees.

All formatting goes through Babel's CLDR data for ``nb_NO`` (decimal comma, a
no-break space as thousands separator), so there are no hand-written rules here —
only the choice of pattern.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
from babel.lists import format_list
from babel.numbers import format_decimal

LOCALE = "nb_NO"
MISSING = "–"  # what a reader sees where a figure is not available


def _is_missing(value) -> bool:
    """None, NaN, and pandas' NA/NaT (cells of nullable columns such as ``Int64``)."""
    if value is None:
        return True
    try:
        missing = pd.isna(value)
    except (TypeError, ValueError):
        return False
    if isinstance(missing, (bool, np.bool_)):
        return bool(missing)
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def _pattern(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")


def _shown_sign(text: str) -> int:
    """The sign of a number as Babel wrote it (-1, 0 or 1): zero when every digit is 0."""
    if not any(ch in "123456789" for ch in text):
        return 0
    return -1 if text.startswith("-") else 1


def number(value, decimals: int = 0) -> str:
    """``15180`` → ``"15 180"``; ``1.2, 2`` → ``"1,20"``; ``-0.35, 2`` → ``"−0,35"`` (the minus
    sign, not a hyphen); ``-0.001, 2`` → ``"0,00"``. Missing values give ``"–"``."""
    if _is_missing(value):
        return MISSING
    text = format_decimal(value, format=_pattern(decimals), locale=LOCALE)
    if _shown_sign(text) == 0:
        text = text.lstrip("-")
    return text.replace("-", "\N{MINUS SIGN}")


def round_counts(values, round_to: int = 1) -> np.ndarray:
    """The package's one rounding rule for counts: to the nearest ``round_to``, halves
    upwards (``floor(v / r + 0.5) · r``: 5 → 10, 15 → 20, 25 → 30, 1 785 → 1 790), so a
    count that passes a disclosure threshold of 5 is never shown as 0. Vectorised; NaN
    stays NaN. Exact for whole counts: ``v / r`` of an integer is a half exactly when it is
    representable as one. :mod:`neethelpers.microdata.disclosure` uses this function."""
    v = np.asarray(values, dtype="float64")
    r = 1 if round_to is None or round_to < 1 else int(round_to)
    return np.floor(v / r + 0.5) * r


def count(value, round_to: int = 1) -> str:
    """A count of persons, rounded to the nearest ``round_to`` (default 1: whole persons) by
    :func:`round_counts`, the one rounding rule."""
    if _is_missing(value):
        return MISSING
    return number(int(round_counts([float(value)], round_to)[0]), 0)


def percent(value, decimals: int = 1) -> str:
    """A share already expressed in percent: ``9.9`` → ``"9,9 %"``."""
    if _is_missing(value):
        return MISSING
    return f"{number(value, decimals)}\N{NO-BREAK SPACE}%"


def percent_words(value, decimals: int = 1) -> str:
    """For running prose: ``9.9`` → ``"9,9 prosent"``."""
    if _is_missing(value):
        return MISSING
    return f"{number(value, decimals)} prosent"


def points(value, decimals: int = 1, signed: bool = False) -> str:
    """A difference in percentage points: ``0.8`` → ``"0,8 prosentpoeng"``."""
    if _is_missing(value):
        return MISSING
    text = number(abs(value) if not signed else value, decimals)
    if signed and _shown_sign(format_decimal(value, format=_pattern(decimals), locale=LOCALE)) > 0:
        text = "+" + text
    return f"{text} prosentpoeng"


def signed(value, decimals: int = 1) -> str:
    """A signed number with a real minus sign: ``-0.35`` → ``"−0,35"``, ``1.2`` → ``"+1,2"``."""
    if _is_missing(value):
        return MISSING
    text = number(value, decimals)
    return "+" + text if _shown_sign(format_decimal(value, format=_pattern(decimals), locale=LOCALE)) > 0 else text


def words(items) -> str:
    """``["Østfold", "Vestfold", "Agder"]`` → ``"Østfold, Vestfold og Agder"`` (Babel's list
    pattern for bokmål)."""
    return format_list([str(i) for i in items], locale="nb_NO")


def counted(n: int, one: str, many: str) -> str:
    """A count with its noun in the right number: ``0`` → ``"ingen fylker"``, ``1`` →
    ``"1 fylke"``, ``15180`` → ``"15 180 fylker"`` (a bare «0» reads as a slip in prose)."""
    if n == 0:
        return f"ingen {many}"
    return f"{number(n, 0)} {one if n == 1 else many}"


def year_range(first: int, last: int) -> str:
    return f"{first}–{last}"


def date(value) -> str:
    """A date the Norwegian way: ``2025-11-04`` → ``"4. november 2025"``.

    Accepts a date, a datetime or an ISO string; anything else (a bare year such as
    ``"2024"``) is returned as given. Empty values give ``""``.
    """
    import datetime as _dt

    from babel.dates import format_date

    if value is None or value == "":
        return ""
    if isinstance(value, _dt.datetime):
        value = value.date()
    if not isinstance(value, _dt.date):
        try:
            value = _dt.date.fromisoformat(str(value).strip())
        except ValueError:
            return str(value)
    return format_date(value, format="long", locale=LOCALE)


# --- text a user supplied ----------------------------------------------------------------------

#: Characters that are markup in HTML: written as character references, which Markdown (MyST)
#: decodes to the plain character and HTML shows as the character — safe in both.
_HTML_REFERENCES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}
#: The other ASCII punctuation (backticks, emphasis, roles and substitutions, links, tables …):
#: backslash-escaped, which CommonMark/MyST renders as the plain character.
_MARKDOWN_PUNCTUATION = frozenset("!#$%()*+,-./:;=?@[\\]^_`{|}~") - frozenset(_HTML_REFERENCES)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")


def escape_user_text(value) -> str:
    """Anything a user supplied (a file name, a path, a value or label from a data file),
    made safe to put into a page's MyST Markdown (prose, captions, table cells): it renders as
    exactly the text given, never as markup. ``<img …>`` stays text, backticks cannot open a
    code span, ``{role}``, ``**``, ``[link](…)``, ``{{ substitution }}`` and ``|`` do nothing, and
    line breaks (which could start a new block) become spaces. The result is also harmless in
    HTML (``<``, ``>``, ``&`` and quotes are character references).

    This is the only way user text reaches a page: never inside a code span (backticks), a
    directive option or raw HTML."""
    text = _CONTROL.sub(" ", str(value)).strip()
    out = []
    for ch in text:
        if ch in _HTML_REFERENCES:
            out.append(_HTML_REFERENCES[ch])
        elif ch in _MARKDOWN_PUNCTUATION:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)
