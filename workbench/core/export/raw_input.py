"""How the training file's raw values were read at import, written into an exported model's
schema so that the model reads a caller's raw values the same way.

Import strips the spaces around text values (`' WD '` is `'WD'`), reads its NA tokens (`?`,
`NA`, `null`...) as missing, and reads numbers and true/false written as text. A model fed the
raw text of the same file must do the same or it predicts something else: an unseen category
`'WD '` instead of `'WD'`, a category `'?'` instead of a missing value. So the schema records
the rules (`RawInput`) and the regular expressions a caller's text is checked with:

- `missing_pattern`: a text read as missing (blank, or an NA token with spaces around it);
- `number_pattern`: a number written as text with the file's decimal and thousands marks;
- `flag_pattern`: true or false in any case.

They are written in the part of the syntax Python's `re`, JSON Schema (ECMA 262) and RE2 read
alike (`steps.patterns`: code points as `\\uXXXX`, no `\\s`), so the service checks with them
and its OpenAPI document declares them. The exported ONNX graph applies the same rules to its
text inputs (`onnx_raw_input`); its number inputs are float32, NaN when missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from workbench.core.steps.patterns import SPACE, CharClass, Pattern, literal, literal_classes

# Digits before the decimal mark of a number written as text: at most 30, so every such number
# is inside float32's range (the model's input type) without a check of its size.
_MOST_DIGITS = 30


@dataclass(frozen=True)
class RawInput:
    """How the training file's raw values were read at import, which an exported model repeats.

    `strip_whitespace`: spaces around a text value were removed; `na_tokens`: the texts read as
    missing (compared after stripping, as import does even when it keeps the spaces);
    `decimal` and `thousands`: the marks in numbers written as text. The defaults read nothing
    specially (a schema written before this was recorded).
    """

    strip_whitespace: bool = False
    na_tokens: tuple[str, ...] = ()
    decimal: str = "."
    thousands: str | None = None

    @classmethod
    def from_read_options(cls, options: Mapping[str, Any]) -> RawInput:
        """From a dataset's stored read options (ReadOptions.to_dict); "" is missing anyway."""
        tokens = [str(token) for token in options.get("na_values", ()) if str(token) != ""]
        return cls(
            strip_whitespace=bool(options.get("strip_whitespace", False)),
            na_tokens=tuple(dict.fromkeys(tokens)),
            decimal=str(options.get("decimal") or "."),
            thousands=str(options["thousands"]) if options.get("thousands") else None,
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RawInput:
        """From schema.json's `raw_input` (the patterns are derived, not read)."""
        return cls(
            strip_whitespace=bool(data.get("strip_whitespace", False)),
            na_tokens=tuple(str(token) for token in data.get("na_tokens", ())),
            decimal=str(data.get("decimal") or "."),
            thousands=str(data["thousands"]) if data.get("thousands") else None,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "strip_whitespace": self.strip_whitespace,
            "na_tokens": list(self.na_tokens),
            "decimal": self.decimal,
            "thousands": self.thousands,
            "missing_pattern": self.missing.render("python"),
            "number_pattern": self.number.render("python"),
            "flag_pattern": FLAG.render("python"),
        }

    @property
    def missing(self) -> Pattern:
        """Texts read as missing: blank, or an NA token with whitespace around it."""
        alternatives = "|".join(literal(token) for token in self.na_tokens)
        classes = {slot: (slot, c, n) for t in self.na_tokens for slot, c, n in literal_classes(t)}
        body = f"(?:{alternatives})?" if alternatives else ""
        return Pattern(f"%(space)s*{body}%(space)s*", (("space", SPACE, False), *classes.values()))

    @property
    def number(self) -> Pattern:
        """A number written as text the way the file writes them: a sign, digits (grouped by
        the thousands mark when the file has one), the decimal mark and decimals; no exponent
        (send a JSON number for that)."""
        marks = {"decimal": CharClass.of(self.decimal)}
        whole = f"[0-9]{{1,{_MOST_DIGITS}}}"
        if self.thousands is not None:
            marks["thousands"] = CharClass.of(self.thousands)
            whole = f"(?:[0-9]{{1,3}}(?:%(thousands)s[0-9]{{3}}){{1,9}}|{whole})"
        number = (
            f"[+-]?(?:{whole}(?:%(decimal)s[0-9]{{0,{_MOST_DIGITS}}})?"
            f"|%(decimal)s[0-9]{{1,{_MOST_DIGITS}}})"
        )
        classes = [("space", SPACE, False), *((slot, c, False) for slot, c in marks.items())]
        return Pattern(f"%(space)s*{number}%(space)s*", tuple(classes))

    def read_text(self, text: str) -> str | None:
        """A text value as import reads it: None when missing, stripped when import strips."""
        if self.missing.fullmatch(text):
            return None
        return text.strip() if self.strip_whitespace else text


# true or false in any case, whitespace around (ECMA 262 has no inline case flag).
FLAG = Pattern(
    "%(space)s*(?:[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])%(space)s*", (("space", SPACE, False),)
)
