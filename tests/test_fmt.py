"""Norwegian number formatting, checked against Babel's own CLDR data for nb_NO."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from babel import Locale
from babel.numbers import format_decimal, format_percent, get_decimal_symbol, get_group_symbol

from neethelpers.presentation import fmt

NB = Locale.parse("nb_NO")
GROUP = get_group_symbol("nb_NO")
DECIMAL = get_decimal_symbol("nb_NO")
NBSP = "\N{NO-BREAK SPACE}"


def test_locale_symbols_are_what_the_house_style_expects():
    # The book's style (9,9 %, 15 180) relies on these CLDR symbols; fail loudly if Babel changes.
    assert DECIMAL == ","
    assert GROUP == NBSP


def test_thousands_separator_is_babels_group_symbol():
    assert fmt.number(15180) == f"15{GROUP}180"
    assert fmt.number(15180) == format_decimal(15180, locale="nb_NO")
    assert fmt.number(1234567) == format_decimal(1234567, locale="nb_NO")
    assert fmt.number(999) == "999"


def test_decimals_are_kept_as_asked():
    assert fmt.number(1.2, 2) == f"1{DECIMAL}20"
    assert fmt.number(9.9, 1) == f"9{DECIMAL}9"
    assert fmt.number(10, 1) == f"10{DECIMAL}0"
    assert fmt.number(0.0004, 4) == f"0{DECIMAL}0004"


def test_percent_matches_cldr_percent_pattern():
    # CLDR's nb percent pattern is "#,##0 %" with a no-break space before the sign.
    pattern = NB.percent_formats[None].pattern
    assert pattern.startswith("#,##0") and pattern.endswith("%")
    assert fmt.percent(9.9, 0) == format_percent(0.099, locale="nb_NO")
    one_decimal = "#,##0.0" + pattern[len("#,##0"):]
    assert fmt.percent(9.9) == format_percent(0.099, format=one_decimal, locale="nb_NO")
    assert fmt.percent(9.9) == f"9{DECIMAL}9{NBSP}%"
    assert fmt.percent(15.25, 2) == format_percent(0.1525, format="#,##0.00" + pattern[len("#,##0"):],
                                                   locale="nb_NO")


def test_percentage_points_and_words():
    assert fmt.points(0.8) == f"0{DECIMAL}8 prosentpoeng"
    assert fmt.points(-0.8) == f"0{DECIMAL}8 prosentpoeng"           # unsigned difference
    assert fmt.points(0.8, signed=True) == f"+0{DECIMAL}8 prosentpoeng"
    assert fmt.points(-0.8, signed=True) == f"\N{MINUS SIGN}0{DECIMAL}8 prosentpoeng"
    assert fmt.percent_words(9.9) == f"9{DECIMAL}9 prosent"


def test_signed_uses_a_real_minus_sign():
    assert fmt.signed(-0.35, 2) == f"\N{MINUS SIGN}0{DECIMAL}35"
    assert fmt.signed(1.2) == f"+1{DECIMAL}2"
    assert "-" not in fmt.signed(-1234.5)


def test_counts_can_be_rounded():
    assert fmt.count(15183, 10) == f"15{GROUP}180"
    assert fmt.count(874626) == format_decimal(874626, locale="nb_NO")


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA, pd.NaT])
def test_missing_values_show_a_dash(missing):
    assert fmt.number(missing) == fmt.MISSING
    assert fmt.percent(missing) == fmt.MISSING
    assert fmt.points(missing) == fmt.MISSING
    assert fmt.count(missing) == fmt.MISSING
    assert fmt.signed(missing) == fmt.MISSING


def test_nullable_integer_cells_format():
    cells = pd.array([2024, None], dtype="Int64")
    assert fmt.number(cells[0]) == "2" + GROUP + "024"
    assert fmt.number(cells[1]) == fmt.MISSING


def test_a_count_agrees_with_its_noun_and_zero_is_a_word():
    assert fmt.counted(0, "fylke", "fylker") == "ingen fylker"
    assert fmt.counted(1, "fylke", "fylker") == "1 fylke"
    assert fmt.counted(2, "kommune", "kommuner") == "2 kommuner"
    assert fmt.counted(15180, "person", "personer") == "15" + GROUP + "180 personer"


def test_year_range_uses_en_dash():
    assert fmt.year_range(2008, 2024) == "2008–2024"


def test_dates_are_written_the_norwegian_way():
    import datetime

    from babel.dates import format_date

    assert fmt.date("2025-11-04") == format_date(datetime.date(2025, 11, 4), format="long", locale="nb_NO")
    assert fmt.date("2025-11-04").startswith("4. ")
    assert fmt.date(datetime.datetime(2024, 2, 8, 13, 0)) == fmt.date("2024-02-08")
    assert fmt.date("2024") == "2024"  # a bare year stays as given
    assert fmt.date(None) == ""


def test_negative_numbers_use_the_minus_sign_and_zero_has_no_sign():
    from neethelpers.presentation import fmt

    assert fmt.number(-1.5, 2) == "\N{MINUS SIGN}1,50"
    assert fmt.number(-0.001, 2) == "0,00"
    assert fmt.signed(-0.0001, 2) == "0,00" and fmt.signed(0.04, 1) == "0,0"
    assert fmt.signed(-0.35, 2) == "\N{MINUS SIGN}0,35" and fmt.signed(1.2, 1) == "+1,2"
    assert fmt.points(-0.04, 1, signed=True) == "0,0 prosentpoeng"
    assert fmt.number(1930, 0) == "1\N{NO-BREAK SPACE}930"
    assert "-" not in fmt.number(-12345.6, 1)
