"""Graph pieces for text, shared by the converters: labels of numbers, trimming, splitting at a
delimiter, joining pieces, reading decimal numbers.

Each mirrors one rule of `workbench.core.steps.labels` or `patterns`, so the training code and
the exported model read text alike (the step converters' parity tests prove it on real data).
"""

from __future__ import annotations

from workbench.core.export.converters.graph import (
    DOUBLE,
    INT64,
    MICROSOFT,
    STRING,
    Column,
    Graph,
)
from workbench.core.steps.labels import LARGEST_WHOLE
from workbench.core.steps.patterns import DECIMAL_TEXT, TRIMMED, Pattern


def number_labels(graph: Graph, x: str) -> str:
    """Float numbers as `labels.number_label` writes them ('' where missing): whole numbers
    through int64 (exact digits), others through Cast to string (C's "%.8g", "INF")."""
    exact = graph.cast(x, DOUBLE)
    magnitude = graph.node("Abs", [exact])
    whole = graph.both(
        graph.equal(graph.node("Floor", [exact]), exact),
        graph.node("Less", [magnitude, graph.constant(LARGEST_WHOLE, DOUBLE)]),
    )
    safe = graph.where(whole, exact, graph.constant(0.0, DOUBLE))
    digits = graph.cast(graph.cast(safe, INT64), STRING)
    label = graph.where(whole, digits, graph.cast(exact, STRING))
    return graph.where(graph.node("IsNaN", [x]), graph.constant("", STRING), label)


def labels(graph: Graph, column: Column) -> str:
    """A column as text labels: text as it is, numbers by `number_labels`."""
    return column.name if column.text else number_labels(graph, column.name)


def pieces_padded(graph: Graph, pieces: str, like: str, count: int) -> str:
    """A [N, 1, K] tensor of pieces (K may be 0) with `count` empty pieces appended, so that
    the first `count` pieces always exist."""
    empty = graph.filled(like, "", STRING)
    pad = graph.node("Unsqueeze", [empty, graph.constant([2], INT64, "axes")])
    return graph.concat([pieces, *[pad] * count], axis=2)


def tokens(graph: Graph, x: str, pattern: Pattern) -> str:
    """The matches of `pattern` in each text, in order ([N, 1, K], '' padding): onnxruntime's
    Tokenizer, the one operator that extracts regular-expression matches."""
    return graph.node(
        "Tokenizer",
        [x],
        domain=MICROSOFT,
        mark=0,
        mincharnum=1,
        pad_value="",
        tokenexp=pattern.re2,
    )


def trimmed(graph: Graph, x: str) -> str:
    """Each text without the whitespace around it (`str.strip()`); '' for blank text."""
    padded = pieces_padded(graph, tokens(graph, x, TRIMMED), x, 1)
    return graph.item(padded, 0, axis=2)


def split_once(graph: Graph, x: str, delimiter: str) -> tuple[str, str]:
    """(text before the first `delimiter`, the rest of `x + delimiter` after it): "a,b" gives
    ("a", "b,"), "a" gives ("a", ""). The appended delimiter makes every row split in two."""
    marked = graph.node("StringConcat", [x, graph.constant(delimiter, STRING, "delimiter")])
    parts, _ = graph.node("StringSplit", [marked], outputs=2, delimiter=delimiter, maxsplit=1)
    return graph.item(parts, 0, axis=2), graph.item(parts, 1, axis=2)


def joined(graph: Graph, pieces: str, like: str, count: int) -> str:
    """The first `count` of each row's [N, 1, K] pieces concatenated into one text ([N, 1]).

    Unrolled rather than a Scan over the pieces: onnxruntime's Scan mixes up text states from
    four iterations on (found while writing this; it gives "aabcd" for the pieces a, b, c, d).
    """
    padded = pieces_padded(graph, pieces, like, count)
    text = graph.item(padded, 0, axis=2)
    for index in range(1, count):
        text = graph.node("StringConcat", [text, graph.item(padded, index, axis=2)])
    return text


def without(graph: Graph, x: str, character: str, pieces: int) -> str:
    """Each text with every `character` removed ("10,000" -> "10000"), for texts with at most
    `pieces` non-empty pieces between the characters, all before any empty one."""
    parts, _ = graph.node("StringSplit", [x], outputs=2, delimiter=character)
    return joined(graph, parts, x, pieces)


def decimals(graph: Graph, x: str) -> tuple[str, str]:
    """(is a plain decimal number, its value as a double; 0 where it is not one): texts that
    match `patterns.DECIMAL_TEXT`, read with Cast (strtod, like Python's float)."""
    found = graph.matches(x, DECIMAL_TEXT)
    safe = graph.where(found, x, graph.constant("0", STRING, "zero"))
    return found, graph.cast(safe, DOUBLE)
