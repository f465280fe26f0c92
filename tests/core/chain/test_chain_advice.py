"""Chain advice: which step recomputes numbers, and the sentence for tree models."""

from __future__ import annotations

from workbench.core.chain.advice import RESCALING_STEPS, rescaling_note, rescaling_step
from workbench.core.chain.resolve import ResolvedChain, resolve_chain
from workbench.core.kinds import ColumnKind
from workbench.core.models.catalog import get_model, models_for
from workbench.core.specs import ChainSpec, StepSpec
from workbench.core.steps.catalog import all_steps

KINDS = {"age": ColumnKind.NUMERIC, "fare": ColumnKind.NUMERIC, "sex": ColumnKind.CATEGORICAL}


def _resolved(*steps: StepSpec) -> ResolvedChain:
    return resolve_chain(ChainSpec(steps), KINDS)


def test_rescaling_steps_are_registered_numeric_steps() -> None:
    steps = all_steps()
    assert set(steps) >= RESCALING_STEPS
    assert sorted(steps[name].label for name in RESCALING_STEPS) == [
        "Log transform",
        "Polynomial features",
        "Power transform",
        "Scale",
    ]


def test_the_first_enabled_rescaling_step_is_named() -> None:
    impute = StepSpec("impute", ("age",), {"strategy": "median"})
    assert rescaling_step(_resolved(impute, StepSpec("one_hot", ("sex",)))) is None
    off = StepSpec("scale", ("fare",), enabled=False)
    log = StepSpec("log1p", ("fare",))
    assert rescaling_step(_resolved(impute, off)) is None
    assert rescaling_step(_resolved(impute, off, log, StepSpec("scale", ("age",)))) == (
        "Log transform"
    )


def test_the_note_names_only_tree_models() -> None:
    chain = _resolved(StepSpec("power_transform", ("fare",)))
    linear = [get_model("logistic_regression"), get_model("svm_rbf")]
    assert rescaling_note(linear, chain) is None
    assert rescaling_note([get_model("random_forest_classifier")], _resolved()) is None
    trees = [m for m in models_for("binary") if m.family in ("Trees", "Boosting")]
    note = rescaling_note([*linear, *trees], chain)
    assert note is not None and note.startswith(
        "The chain's 'Power transform' step recomputes numbers before Decision tree, Random "
        "forest, Extra trees, Histogram gradient boosting and XGBoost: trees need no scaling"
    )
