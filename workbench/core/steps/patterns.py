"""The regular expressions that the text steps and their ONNX graphs share.

A step whose training code reads text (mark placeholder values, parse numbers, cast, trim
spaces, TF-IDF words, dates) must compute exactly what its exported graph computes. The graph
can only test text with RE2 (ONNX's RegexFullMatch, onnxruntime's Tokenizer), so each rule is
written once here, in the part of the syntax Python's `re` and RE2 read alike, and rendered for
either engine (`Pattern.python`, `Pattern.re2`): the training code matches with `re`, the
converter puts the RE2 text in the graph.

Rules that keep the two engines equal:
- Non-ASCII characters and every character class are written as code points, rendered as
  `\\uXXXX` for Python and `\\x{XXXX}` for RE2; no `\\s`, `\\d`, `\\w` (they differ: Unicode
  in Python, ASCII in RE2), no look-around (RE2 has none), no `.` (newlines).
- Whether a text matches a whole pattern (fullmatch) is the same question in both engines.
  Where a graph extracts matches (the Tokenizer), RE2 there takes the longest match at the
  leftmost position while Python takes the first alternative: the extracting patterns are
  written so that the two are the same match (greedy runs of disjoint character classes).

Why whitespace is `str.isspace()`'s set: it is what `str.strip()` removes, so a trimmed value
is what Python users expect, and the set is explicit for RE2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

# Every character str.strip() removes (str.isspace() is true), in code point order.
WHITESPACE = "".join(chr(code) for code in range(0x110000) if chr(code).isspace())
# The whitespace C's strtod skips before a number (onnxruntime's Cast from string uses it).
ASCII_WHITESPACE = " \t\n\v\f\r"


def _escape(code: int, engine: str) -> str:
    if engine == "re2":
        return f"\\x{{{code:x}}}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


@dataclass(frozen=True)
class CharClass:
    """A set of characters, as code point ranges."""

    ranges: tuple[tuple[int, int], ...]

    @classmethod
    def of(cls, characters: str) -> CharClass:
        return cls(tuple((ord(c), ord(c)) for c in sorted(set(characters))))

    def __or__(self, other: CharClass) -> CharClass:
        return CharClass(self.ranges + other.ranges)

    def render(self, engine: str, *, negated: bool = False) -> str:
        body = "".join(
            _escape(low, engine)
            if low == high
            else f"{_escape(low, engine)}-{_escape(high, engine)}"
            for low, high in self.ranges
        )
        return f"[{'^' if negated else ''}{body}]"


ANY = CharClass(((0, 0x10FFFF),))
SPACE = CharClass.of(WHITESPACE)
STRTOD_SPACE = CharClass.of(ASCII_WHITESPACE)
MINUS = CharClass.of("-\u2212")  # hyphen-minus and the minus sign
DASH = CharClass.of("-\u2013\u2014")  # hyphen, en dash, em dash
CURRENCY_OR_SPACE = CharClass.of("$\u20ac\u00a3\u00a5") | SPACE
# What separates words for TF-IDF: whitespace, ASCII punctuation and symbols (not "_"), and the
# punctuation blocks of Latin-1 (¡ « » ¿ ...), general punctuation (– — ‘ ’ “ ” … •) and CJK.
WORD_SEPARATOR = (
    SPACE
    | CharClass.of("!\"#$%&'()*+,-./:;<=>?@[\\]^`{|}~")
    | CharClass(((0xA0, 0xBF), (0xD7, 0xD7), (0xF7, 0xF7), (0x2000, 0x206F), (0x3000, 0x303F)))
)


@dataclass(frozen=True)
class Pattern:
    """A regular expression written once with `%(name)s` slots for character classes."""

    template: str
    classes: tuple[tuple[str, CharClass, bool], ...] = ()  # (slot, class, negated)
    ignore_case: bool = False

    def render(self, engine: str) -> str:
        slots = {name: chars.render(engine, negated=neg) for name, chars, neg in self.classes}
        text = self.template % slots if slots else self.template
        if self.ignore_case and engine == "re2":
            text = "(?i)" + text
        return text

    @property
    def re2(self) -> str:
        """The pattern for RE2 (onnxruntime's RegexFullMatch and Tokenizer)."""
        return self.render("re2")

    @cached_property
    def python(self) -> re.Pattern[str]:
        return re.compile(self.render("python"), re.IGNORECASE if self.ignore_case else 0)

    def fullmatch(self, text: str) -> bool:
        return self.python.fullmatch(text) is not None


def literal(text: str) -> str:
    """`text` as a pattern matching itself: ASCII letters and digits as they are, every other
    character as its code point (for Python, where `render` substitutes slots, `%` doubled)."""
    return "".join(c if c.isascii() and c.isalnum() else f"%(u{ord(c):x})s" for c in text)


def literal_classes(text: str) -> tuple[tuple[str, CharClass, bool], ...]:
    """The slots `literal(text)` uses: each escaped character as a one-character class."""
    escaped = {c for c in text if not (c.isascii() and c.isalnum())}
    return tuple((f"u{ord(c):x}", CharClass.of(c), False) for c in sorted(escaped))


def words_pattern(words: list[str]) -> Pattern:
    """Any of `words` (ignoring case), with whitespace around it."""
    alternatives = "|".join(literal(word) for word in words)
    classes = tuple(
        {slot: (slot, c, n) for w in words for slot, c, n in literal_classes(w)}.values()
    )
    return Pattern(
        f"%(space)s*(?:{alternatives})%(space)s*",
        (("space", SPACE, False), *classes),
        ignore_case=True,
    )


# ---- decimal numbers in text -----------------------------------------------------------------

# A plain decimal number: 5, -1.5, +.5, 5., 1e3, with digit counts bounded so that every match
# is a finite double that strtod reads without an overflow (onnxruntime's Cast would fail).
DECIMAL = r"[+-]?(?:[0-9]{1,30}(?:[.][0-9]{0,30})?|[.][0-9]{1,30})(?:[eE][+-]?[0-9]{1,2})?"
# A cell holding only a decimal number, ASCII whitespace around it allowed (what strtod skips).
DECIMAL_TEXT = Pattern(f"%(space)s*{DECIMAL}%(space)s*", (("space", STRTOD_SPACE, False),))


def decimal_value(text: str) -> float | None:
    """The number a cell holds when it is a plain decimal number (DECIMAL_TEXT), else None."""
    if not DECIMAL_TEXT.fullmatch(text):
        return None
    return float(text.strip(ASCII_WHITESPACE))


# ---- numbers as people write them (parse_numbers) --------------------------------------------

# The number itself: thousands separated by commas, decimals, an exponent. At most
# NUMBER_GROUPS pieces between commas (up to 10^32), which bounds the exported model's work.
NUMBER_GROUPS = 11
_NUM = (
    rf"(?:[0-9]{{1,30}}(?:,[0-9]{{3}}){{1,{NUMBER_GROUPS - 1}}}(?:[.][0-9]{{0,30}})?"
    r"|[0-9]{1,30}[.][0-9]{0,30}|[.][0-9]{1,30}|[0-9]{1,30})(?:[eE][+-]?[0-9]{1,2})?"
)
# Scale words after a number, by multiplier (decimal: 19M = 19e6, 1.5 GB = 1.5e9).
SCALES: tuple[tuple[str, float], ...] = (
    ("[kK][bB]?", 1e3),
    ("(?:mn|[mM][bB]?)", 1e6),
    ("(?:bn|G[bB]?|B)", 1e9),
    ("T[bB]?", 1e12),
)
_ANY_SCALE = "(?:" + "|".join(scale for scale, _ in SCALES) + ")"
_NOT_DIGIT = "[^0-9]"
# The text before the (first) number: no digits, and no "." right before it (".5" is a number).
_BEFORE = "(?:[^0-9]*[^0-9.])?"
# A scale word counts only when no letter follows it ("5 Months" is 5, not 5 million).
_SCALE_END = "(?:[^A-Za-z0-9][^0-9]*)?"
# Between the two numbers of a range: a dash or "to", currency signs and spaces around; after a
# scale word the separator must not start with a letter ("5kto7" is no range).
_SEPARATOR = "%(cur)s*(?:%(dash)s|[tT]%(cur)s*[oO])%(cur)s*"
_SEPARATOR_AFTER_SCALE = "(?:%(cur)s*%(dash)s%(cur)s*|%(cur)s+[tT]%(cur)s*[oO]%(cur)s*)"
_HUMAN_CLASSES = (
    ("space", SPACE, False),
    ("cur", CURRENCY_OR_SPACE, False),
    ("dash", DASH, False),
    ("minus", MINUS, False),
    ("any", ANY, False),
)


def _human(template: str) -> Pattern:
    return Pattern(template, _HUMAN_CLASSES)


# Exactly one number, anything without digits around it.
ONE_NUMBER = _human(f"{_BEFORE}{_NUM}{_NOT_DIGIT}*")
# Exactly two numbers forming a range (the first may carry a scale word).
RANGE = _human(
    f"{_BEFORE}{_NUM}(?:%(space)s?{_ANY_SCALE}{_SEPARATOR_AFTER_SCALE}|{_SEPARATOR})"
    f"{_NUM}{_NOT_DIGIT}*"
)
# The first number is negative: a minus right before it, currency signs and spaces aside.
NEGATIVE = _human(f"{_NOT_DIGIT}*%(minus)s%(cur)s*[.]?[0-9]%(any)s*")


def one_number_scaled(scale: str) -> Pattern:
    """ONE_NUMBER whose number is followed by this scale word."""
    return _human(f"{_BEFORE}{_NUM}%(space)s?{scale}{_SCALE_END}")


def first_of_range_scaled(scale: str) -> Pattern:
    """RANGE whose first number is followed by this scale word."""
    return _human(f"{_BEFORE}{_NUM}%(space)s?{scale}{_SEPARATOR_AFTER_SCALE}{_NUM}{_NOT_DIGIT}*")


def second_of_range_scaled(scale: str) -> Pattern:
    """A text with two numbers whose second is followed by this scale word."""
    return _human(f"{_NOT_DIGIT}*{_NUM}{_NOT_DIGIT}*{_NUM}%(space)s?{scale}{_SCALE_END}")


# The numbers of a text, extracted in order (onnxruntime's Tokenizer with this pattern). On a
# text that matches ONE_NUMBER or RANGE each extracted piece is one number of the pattern, with
# any trailing commas (dropped with the thousands separators).
NUMBER_PIECE = Pattern(
    r"[0-9][0-9,]*(?:[.][0-9]*)?(?:[eE][+-]?[0-9]+)?|[.][0-9]+(?:[eE][+-]?[0-9]+)?"
)
# Where the ignored part of a text starts: "(Glassdoor est.)".
PARENTHESIS = "("

# ---- words (TF-IDF) --------------------------------------------------------------------------

# A word: two or more characters in a row that are neither whitespace nor punctuation.
WORD = Pattern("%(word)s{2,}", (("word", WORD_SEPARATOR, True),))

# ---- trimming --------------------------------------------------------------------------------

# A value without the whitespace around it (onnxruntime's Tokenizer with this pattern gives the
# trimmed text as its only piece; nothing for a blank value).
TRIMMED = Pattern("%(solid)s(?:%(any)s*%(solid)s)?", (("solid", SPACE, True), ("any", ANY, False)))

# ---- dates -----------------------------------------------------------------------------------

# ISO 8601 calendar dates as the exported model takes them: 2007-11-11, 2007-11-11T08:30,
# 2007-11-11 08:30:15.25+01:00, 2007-11-11T08:30:15Z. The offset is not applied: the parts
# are those of the written (wall clock) time, as the workbench reads dated columns.
ISO_DATE = Pattern(
    r"[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
    r"(?:[T ](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:[.][0-9]{1,9})?)?"
    r"(?:Z|[+-](?:[01][0-9]|2[0-3]):?[0-5][0-9])?)?"
)
