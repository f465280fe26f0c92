"""The positive class of binary metrics, and labels as plain Python values.

Which class precision, recall, F1 and PR AUC call positive is a guess from the class names
(or, failing that, the class counts); scores, plots and the results page must all make the
same guess, so it is made here once. `plain` sits beside it because every label that leaves
the metrics (positive classes, curve and table rows) goes through it to serialise as JSON.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from workbench.core.errors import WorkbenchError


def plain(value: Any) -> Any:
    """A label or number as a plain Python value, so results serialise to JSON."""
    return value.item() if isinstance(value, np.generic) else value


# --- the positive class --------------------------------------------------------------------------

# Compared lowercase and stripped. Words that say "this is the event we look for"...
_POSITIVE_names = frozenset(
    {
        "1", "true", "yes", "y", "t", "positive", "pos", "bad", "default", "defaulted",
        "churn", "churned", "fraud", "spam", "malignant", "sick", "disease", "failure", "fail",
        "failed", "event", "abnormal", "survived", "died", "dead", "risk", "high",
    }
)  # fmt: skip
# ...and words for the ordinary case, whose other class is then the positive one.
_NEGATIVE_names = frozenset(
    {
        "0", "false", "no", "n", "f", "negative", "neg", "good", "normal", "benign", "healthy",
        "none", "ham", "ok", "pass", "passed", "control", "alive", "low", "legit", "legitimate",
    }
)  # fmt: skip


def _label_text(label: Any) -> str:
    value = plain(label)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float) and value in (0, 1):
        return str(int(value))
    return str(value).strip().lower()


def positive_label(classes: Sequence[Any], y: Sequence[Any] | None = None) -> Any:
    """The class binary metrics call positive, taken from `classes` as given.

    In order: the class named like the event (1, True, yes, bad, fraud, ...; a threshold
    class such as adult's ">50K" starting with ">"); else the class whose partner is named like
    the ordinary case (0, no, good, normal, ...); else, when the training targets `y` are given,
    the minority class (the rare class is what people look for); else the larger label,
    scikit-learn's `classes_[1]`.
    """
    labels = list(classes)
    if len(labels) != 2:
        raise WorkbenchError(
            f"a positive class needs exactly two classes, got {len(labels)}: "
            f"{', '.join(str(plain(c)) for c in labels)}"
        )
    texts = [_label_text(label) for label in labels]
    named = [i for i, text in enumerate(texts) if text in _POSITIVE_names or text[:1] == ">"]
    if len(named) == 1:
        return labels[named[0]]
    ordinary = [i for i, text in enumerate(texts) if text in _NEGATIVE_names or text[:1] == "<"]
    if len(ordinary) == 1:
        return labels[1 - ordinary[0]]
    if y is not None:
        values = np.asarray(y)
        counts = [int(np.sum(values == label)) for label in labels]
        if counts[0] != counts[1]:
            return labels[int(np.argmin(counts))]
    return sorted(labels)[1]
