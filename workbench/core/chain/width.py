"""How many columns a chain hands the model, counted before anything is fitted.

A dense one-hot encoding of a column with thousands of labels makes a table of thousands of
columns and a training that crawls (googleplaystore's `Reviews`: 6,002 labels). The Train panel
and `workbench train` therefore say, before training, how many columns each model's full chain
(the user's steps and the model's default steps, chain.model_chain) will produce, and warn
above `WIDE_TABLE_COLUMNS`. The count walks the resolved chain's layout the way the compiler
builds it, one rule per step that changes the width; a step without a rule keeps its width.

Where the width is learned from the data the count is an upper bound (`exact` False): selection
steps, TF-IDF's vocabulary, bins that collapse, one-hot with rare labels grouped. Labels come
from the import's schema, which lists up to MAX_LISTED_CATEGORIES labels per column; a one-hot
fitted on training rows that lack a rare label makes one column fewer than counted.

Imports no scikit-learn: the window counts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from workbench.core.chain.resolve import BranchParts, BranchPlan, ResolvedChain, ResolvedStep
from workbench.core.kinds import ColumnKind, TaskType
from workbench.core.schema import MAX_LISTED_CATEGORIES, Schema

# Above this many columns handed to the model, the panel and the CLI warn before training.
WIDE_TABLE_COLUMNS = 1000
# The count given to a column whose labels the schema does not list (more than it lists).
UNLISTED_LABELS = MAX_LISTED_CATEGORIES + 1
LABEL_KINDS = (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)


@dataclass(frozen=True)
class LabelCounts:
    """What the import recorded about each label column: its distinct labels (UNLISTED_LABELS
    for a column with more than the schema lists) and whether it has missing cells."""

    labels: Mapping[str, int]
    nullable: Mapping[str, bool]

    @classmethod
    def from_schema(cls, schema: Schema) -> LabelCounts:
        labels: dict[str, int] = {}
        nullable: dict[str, bool] = {}
        for column in schema.columns:
            if column.kind not in LABEL_KINDS:
                continue
            listed = column.categories
            labels[column.name] = len(listed) if listed is not None else UNLISTED_LABELS
            nullable[column.name] = column.nullable
        return cls(labels, nullable)

    def one_hot_columns(self, column: str) -> int | None:
        """The columns an unlimited one-hot makes of `column` (a missing label is a column of
        its own); None when its labels are not known (it was not a label column at import)."""
        if column not in self.labels:
            return None
        return self.labels[column] + int(self.nullable.get(column, False))


@dataclass(frozen=True)
class ChainWidth:
    """The columns a chain hands the model: `columns` counted, `exact` False when that is an
    upper bound, `uncounted` the one-hot encoded columns whose labels the import did not list
    (more than MAX_LISTED_CATEGORIES, counted as UNLISTED_LABELS, or not a label column then,
    counted as none): `columns` is then a lower bound."""

    columns: int
    exact: bool = True
    uncounted: tuple[str, ...] = ()

    @property
    def wide(self) -> bool:
        return self.columns > WIDE_TABLE_COLUMNS

    def count_text(self) -> str:
        """'57 columns', 'up to 1,032 columns', 'at least 1,119 columns'."""
        noun = "column" if self.columns == 1 else "columns"
        bound = "at least " if self.uncounted else "" if self.exact else "up to "
        return f"{bound}{self.columns:,} {noun}"

    def text(self) -> str:
        """`count_text`, and which columns' labels were not counted."""
        if not self.uncounted:
            return self.count_text()
        names = ", ".join(f"'{name}'" for name in self.uncounted)
        return f"{self.count_text()} (the labels of {names} are only counted when fitted)"


def wide_warning(model_label: str, width: ChainWidth) -> str | None:
    """The warning the panel and the CLI show for a chain above WIDE_TABLE_COLUMNS."""
    if not width.wide:
        return None
    return (
        f"{model_label}: the chain makes {width.text()}, above {WIDE_TABLE_COLUMNS:,}: training "
        "will be slow and memory-hungry; encode the columns with many labels compactly (target "
        "encode, hash encode or group rare categories) or drop them"
    )


def chain_width(
    chain: ResolvedChain, counts: LabelCounts, task: TaskType, n_classes: int | None = None
) -> ChainWidth:
    """The columns `chain` (a model's full chain) hands the model. `n_classes` is the number of
    classes of a multiclass target (target encoding makes one column per class); when it is
    not known the count is an upper bound."""
    counter = _Counter(counts, task, n_classes)
    total = 0
    for group in chain.layout:
        total += len(group.columns) if group.branch is None else counter.branch(group.branch)
    for step in chain.matrix:
        total = counter.matrix(step, total)
    return ChainWidth(total, counter.exact, tuple(counter.uncounted))


class _Counter:
    """Walks branches, noting where the count is only a bound or unknown."""

    def __init__(self, counts: LabelCounts, task: TaskType, n_classes: int | None) -> None:
        self.counts = counts
        self.task = task
        self.n_classes = n_classes
        self.exact = True
        self.uncounted: list[str] = []

    def branch(self, plan: BranchPlan) -> int:
        width = len(plan.columns)
        # Whether the branch's labels are still the imported ones, but for the missing label.
        imputed = changed = False
        for entry in plan.steps:
            if isinstance(entry, BranchParts):
                width = sum(self.branch(part) for part in entry.parts)
                changed = True
                continue
            name = entry.step.name
            if name == "impute":
                imputed = True
            elif name not in _KEEPS_LABELS:
                width = self.step(entry.step, plan.columns, width, imputed, changed)
                changed = True
        return width

    def step(
        self,
        step: ResolvedStep,
        columns: tuple[str, ...],
        width: int,
        imputed: bool,
        changed: bool,
    ) -> int:
        """The width after `step`, given the branch's width before it; `changed` says an
        earlier step changed the labels (a one-hot count is then a bound)."""
        params = step.params or {}
        name = step.name
        if changed and name in ("one_hot", "feature_cross"):
            self.exact = False
        if name == "one_hot":
            return self._one_hot(columns, params, imputed)
        if name == "hash":
            return params["n_buckets"] * len(columns)
        if name == "target_encode":
            if self.task != TaskType.MULTICLASS:
                return len(columns)
            if self.n_classes is None:
                self.exact = False
                return len(columns) * UNLISTED_LABELS
            return len(columns) * self.n_classes
        if name == "feature_cross":
            if params["encode"] == "hash":
                return params["n_buckets"]
            self.exact = False  # only the combinations seen in training get a column
            return math.prod(self._one_hot((column,), {}, imputed) for column in columns)
        if name == "datetime_parts":
            return len(params["parts"]) * width
        if name == "missing_indicator":
            return 2 * width
        if name == "tfidf":
            self.exact = False
            return params["max_features"] * width
        if name == "bin":
            if params["encode"] == "onehot":
                self.exact = False
                return params["n_bins"] * width
            return width
        if name == "polynomial":
            degree, n = params["degree"], width
            if params["interaction_only"]:
                return sum(math.comb(n, k) for k in range(1, min(degree, n) + 1))
            return math.comb(n + degree, degree) - 1
        return width

    def _one_hot(
        self, columns: tuple[str, ...], params: Mapping[str, object], imputed: bool
    ) -> int:
        total = 0
        for column in columns:
            made = self.counts.one_hot_columns(column)
            if made is None or self.counts.labels[column] == UNLISTED_LABELS:
                self.uncounted.append(column)
            if made is None:
                continue
            if imputed and self.counts.nullable.get(column, False):
                made -= 1
            limit = params.get("max_categories")
            if isinstance(limit, int):
                made = min(made, limit)
            if params.get("min_frequency"):
                self.exact = False
            total += made
        return total

    def matrix(self, step: ResolvedStep, width: int) -> int:
        params = step.params or {}
        if step.name == "select_k_best":
            return min(int(params["k"]), width)
        if step.name == "pca" and isinstance(params["n_components"], int):
            return min(params["n_components"], width)
        # Selection by a threshold or by explained variance: only fitting says how many.
        self.exact = False
        return width


# Steps before an encoder that leave a column's labels as imported (impute may remove the
# missing label: handled apart); any other step makes the labels unknown to the count.
_KEEPS_LABELS = frozenset({"strip_whitespace", "rename", "mark_missing"})
