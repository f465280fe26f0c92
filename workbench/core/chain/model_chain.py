"""A model's full chain: the user's chain with the model's default steps added.

The user's chain comes first; the model's default chain (models.catalog.default_model_chain)
then makes usable the columns the user left untouched, and encodes or drops the ones the
user's chain left as strings or dates. Those steps go before the user's first MATRIX step,
which needs the numbers they make. `model_chain` returns that full chain resolved, its added
steps marked: the chain the pipeline (core.pipeline) holds, step for step, the one the Train
panel and `workbench train` count columns on before training (chain.width).

Imports no scikit-learn: the window builds it to count columns.
"""

from __future__ import annotations

from collections.abc import Mapping

from workbench.core.chain.resolve import ResolvedChain
from workbench.core.chain.width import ChainWidth, LabelCounts, chain_width
from workbench.core.kinds import ColumnKind, TaskType
from workbench.core.models.catalog import ONE_HOT_MAX_LABELS, default_model_chain
from workbench.core.models.registry import ModelDef

# Kinds no model takes as they are: the default chain encodes or drops them even when the
# user's chain touched the column.
UNUSABLE_KINDS = (
    ColumnKind.CATEGORICAL,
    ColumnKind.TEXT,
    ColumnKind.IDENTIFIER,
    ColumnKind.DATETIME,
)


def many_label_columns(kinds: Mapping[str, ColumnKind], counts: LabelCounts) -> list[str]:
    """The categorical columns of `kinds` with more than ONE_HOT_MAX_LABELS labels, and those
    whose labels the import did not count (made categorical by a step): both are encoded
    compactly, so no column ever becomes thousands of one-hot columns."""
    return [
        column
        for column, kind in kinds.items()
        if kind == ColumnKind.CATEGORICAL
        and counts.labels.get(column, ONE_HOT_MAX_LABELS + 1) > ONE_HOT_MAX_LABELS
    ]


def model_chain(chain: ResolvedChain, model: ModelDef, counts: LabelCounts) -> ResolvedChain:
    """The user's chain with the model's default steps added before its first MATRIX step,
    resolved against the same registry read (no step is looked up again). `counts` (the
    dataset's, from its schema) decide which categorical columns have too many labels to
    one-hot encode."""
    untouched = chain.untouched
    needing = {
        column: kind
        for column, kind in chain.alive.items()
        if column in untouched or kind in UNUSABLE_KINDS
    }
    defaults = default_model_chain(model, needing, many_label_columns(needing, counts)).steps
    return chain.with_steps_added(chain.first_matrix_index(), defaults)


def model_width(
    chain: ResolvedChain, model: ModelDef, counts: LabelCounts, task: TaskType
) -> ChainWidth:
    """The columns `model`'s full chain will hand it: what the Train panel and `workbench
    train` say before training. The target's labels (in `counts`) give a multiclass target's
    number of classes."""
    classes = counts.labels.get(chain.target) if chain.target is not None else None
    return chain_width(model_chain(chain, model, counts), counts, task, classes)
