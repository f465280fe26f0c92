"""The text rules the steps share with their exported models (steps/patterns.py, labels.py):
how numbers and dates become labels, which texts are numbers and dates, how human-written
numbers, words and placeholders are read. The graphs' side is tested in
tests/core/export/test_step_converters.py."""

from __future__ import annotations

import datetime
import math

import numpy as np
import pandas as pd
import pytest

from workbench.core.steps.labels import iso_dates, number_label, text_labels
from workbench.core.steps.patterns import (
    DECIMAL_TEXT,
    ISO_DATE,
    WHITESPACE,
    WORD,
    decimal_value,
    words_pattern,
)
from workbench.core.steps.text_impl import lower_ascii, words
from workbench.core.steps.transformers import MarkMissing, parse_number


@pytest.mark.parametrize(
    ("number", "label"),
    [
        (3.0, "3"),
        (-0.0, "0"),
        (-17.0, "-17"),
        (0.5, "0.5"),
        (float(np.float32(0.1)), "0.1"),  # C's %.8g, as ONNX's Cast writes a float
        (123456789.0, "123456789"),  # whole: int64 digits
        (2.0**53, "9.0071993e+15"),  # beyond exact integers: %.8g
        (1e20, "1e+20"),
        (math.inf, "INF"),
        (-math.inf, "-INF"),
    ],
)
def test_numbers_become_the_labels_onnx_cast_writes(number: float, label: str) -> None:
    assert number_label(number) == label


def test_text_labels_of_flags_dates_and_text() -> None:
    assert text_labels(pd.Series([True, False])).tolist() == ["1", "0"]
    assert text_labels(pd.Series([1.0, np.nan, 2.5])).tolist()[::2] == ["1", "2.5"]
    labels = text_labels(pd.Series(["a", "", None], dtype=object))
    assert labels.iloc[0] == "a" and labels.iloc[1:].isna().all()  # '' is missing, as in ONNX
    stamps = pd.Series(pd.to_datetime(["2007-11-11 08:30:59", None]))
    assert text_labels(stamps).iloc[0] == "2007-11-11T08:30:59" and text_labels(stamps).isna()[1]
    # A resampled frame repeats index labels: labels follow positions.
    repeated = pd.Series(["x", "y", "x"], index=[4, 4, 7], dtype=object)
    assert text_labels(repeated).tolist() == ["x", "y", "x"]
    assert iso_dates(pd.Series(["2021-03-04"], dtype=object)).tolist() == ["2021-03-04T00:00:00"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (" 5 ", 5.0),
        ("-1.5", -1.5),
        ("+.5", 0.5),
        ("5.", 5.0),
        ("\t1e3\n", 1000.0),
        ("inf", None),
        ("nan", None),
        ("0x10", None),
        ("1_000", None),
        ("1,000", None),
        ("\u00a05", None),  # only the whitespace C's strtod skips
        ("1e100", None),  # exponents of one or two digits: always a finite double
        ("1" * 31, None),
        ("", None),
    ],
)
def test_plain_decimal_numbers(text: str, value: float | None) -> None:
    assert decimal_value(text) == value
    assert DECIMAL_TEXT.fullmatch(text) is (value is not None)


@pytest.mark.parametrize(
    "text",
    [
        "2007-11-11",
        "2007-11-11T08:30",
        "2007-11-11 08:30:15",
        "2007-11-11T08:30:15.123456789",
        "2007-11-11T08:30:15Z",
        "2007-11-11T08:30+05:30",
        "2007-11-11T08:30-0800",
        "2021-02-29",  # the right form, an impossible day: the graph gives NaN parts
    ],
)
def test_iso_dates_the_model_reads(text: str) -> None:
    assert ISO_DATE.fullmatch(text)
    if text != "2021-02-29":  # what the service additionally checks with fromisoformat
        datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.parametrize(
    "text", ["11/11/2007", "2007-11-11T24:00", "2007-13-01", "2007-11-11T08", "20071111", ""]
)
def test_other_date_texts_are_refused(text: str) -> None:
    assert not ISO_DATE.fullmatch(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("10,000+", 10_000.0),
        ("$4.99", 4.99),
        ("19M", 19e6),
        ("1.5 GB", 1.5e9),
        ("1.5bn", 1.5e9),
        ("\u22123", -3.0),  # the minus sign
        ("-.5", -0.5),
        ("5 to 7", 6.0),
        ("5 To 7", 6.0),
        ("$53K-$91K (Glassdoor est.)", 72_000.0),
        ("$17-$24 Per Hour(Glassdoor est.)", 20.5),
        ("5 Months", 5.0),  # a scale word followed by letters is a word
        ("5kto7", math.nan),  # nor does it start a range
        ("(est.) $5K", math.nan),  # text from an opening parenthesis on is ignored
        ("PN.1.0", math.nan),  # ".1" then ".0": two numbers, no range
        ("4.0.3 and up", math.nan),
        ("1,0000", math.nan),
        ("Varies with device", math.nan),
    ],
)
def test_human_written_numbers(text: str, value: float) -> None:
    got = parse_number(text)
    assert got == value or (math.isnan(got) and math.isnan(value))


def test_words_are_runs_between_spaces_and_punctuation_with_ascii_capitals_lowered() -> None:
    text = "Don't E-mail COVID-19 naïve “quoted” ÉCOLE x 😀😀 snake_case\u00a0end"
    assert words(lower_ascii(text)) == [
        "don", "mail", "covid", "19", "naïve", "quoted", "École", "😀😀", "snake_case", "end",
    ]  # fmt: skip
    assert WORD.python.pattern.startswith("[^") and "\\x{2000}-\\x{206f}" in WORD.re2


def test_placeholders_match_ignoring_case_whitespace_and_number_forms() -> None:
    rule = words_pattern(["n/a", "?", "unknown"])
    assert rule.fullmatch(" N/A\t") and rule.fullmatch("?") and rule.fullmatch("UNKNOWN")
    assert not rule.fullmatch("unknownx") and not rule.fullmatch("n-a")
    assert rule.re2.startswith("(?i)") and "\\x{2f}" in rule.re2
    frame = pd.DataFrame(
        {"code": np.array([" -1.0 ", "-1e0", "unknown\u3000", "-12", None], dtype=object)}
    )
    out = MarkMissing(values=("-1", "unknown")).fit(frame).transform(frame)
    assert out["code"].isna().tolist() == [True, True, True, False, True]
    assert WHITESPACE.strip() == "" and len(WHITESPACE) == 29  # what str.strip() removes
