"""Advice about a chain for the models it feeds: steps that run fine but cost a model something.

Qt-free and free of scikit-learn, so the Train panel can say it before anything runs, the runner
can keep it in the run's notes, and the exporter can name the cause when parity fails.
"""

from __future__ import annotations

from collections.abc import Iterable

from workbench.core.chain.resolve import ResolvedChain
from workbench.core.models.registry import TREE_FAMILIES, ModelDef

# The steps that recompute numbers (not just select or encode them).
RESCALING_STEPS = frozenset({"scale", "log1p", "power_transform", "polynomial"})


def rescaling_step(chain: ResolvedChain) -> str | None:
    """The label of the chain's first enabled step that recomputes numbers, or None."""
    return next((step.label for step in chain.steps if step.name in RESCALING_STEPS), None)


def tree_models(models: Iterable[ModelDef]) -> list[ModelDef]:
    """The models that split on thresholds (and so need no scaling)."""
    return [model for model in models if model.family in TREE_FAMILIES]


def rescaling_note(models: Iterable[ModelDef], chain: ResolvedChain) -> str | None:
    """One sentence when the chain recomputes numbers before tree models, else None.

    Trees gain nothing from it, and an ONNX export computes the step in float32, which can move
    a row across a split point: the exported model may then miss parity.
    """
    trees = tree_models(models)
    label = rescaling_step(chain)
    if not trees or label is None:
        return None
    labels = [model.label for model in trees]
    names = labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"
    return (
        f"The chain's '{label}' step recomputes numbers before {names}: trees need no scaling, "
        "and an ONNX export computes it in float32, which can move rows across split points "
        "(the export may then miss parity). Switch the step off to train trees on raw values."
    )
