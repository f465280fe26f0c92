"""The one number formatter: about four significant digits, thousands separators, and no
scientific notation for anything a table or a price holds."""

from __future__ import annotations

import pytest

from workbench.core.numbers import format_number


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.42, "0.42"),
        (29.69911764705882, "29.7"),
        (14.526497332334044, "14.53"),
        (1234567.0, "1,234,567"),
        (20345.6, "20,346"),  # `.4g` wrote 2.035e+04
        (20000.0, "20,000"),  # and `.4g` of this, 2e+04
        (-0.0000123456, "-1.235e-05"),
        (None, "—"),
        (float("nan"), "—"),
        (float("inf"), "∞"),
    ],
)
def test_numbers_read_with_about_four_significant_digits(value, text) -> None:
    assert format_number(value) == text
