"""The desktop window's chain work must not load scikit-learn.

The Prepare panel reads the step declarations and validates chains in the GUI process; fitting
and previews run in child processes. Importing scikit-learn and scipy costs over a second, so
the declarations, the validation walk and the alert fixes stay free of them (and of ONNX), and
the factories import their implementation modules when a chain is compiled. Each check runs in
a fresh interpreter: this test process has long imported scikit-learn.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from workbench.core.steps import numeric, select
from workbench.core.steps.catalog import all_steps
from workbench.core.steps.lazy import LazyFactory
from workbench.core.steps.registry import Stage

HEAVY = ("sklearn", "scipy", "skl2onnx", "onnx", "onnxruntime", "dask", "distributed")

REPORT_HEAVY = f"""
import json, sys
heavy = sorted(
    name for name in sys.modules if name.split(".")[0] in {HEAVY!r}
)
"""

CHAIN_WORK = (
    """
from workbench.core.chain.resolve import resolve_chain
from workbench.core.chain.stages import onnx_blockers
from workbench.core.kinds import ColumnKind
from workbench.core.profile.fixes import fix_for_alert
from workbench.core.profile.model import Alert
from workbench.core.specs import ChainSpec, StepSpec
from workbench.core.steps.catalog import all_steps

kinds = {
    "age": ColumnKind.NUMERIC,
    "sex": ColumnKind.CATEGORICAL,
    "deck": ColumnKind.CATEGORICAL,
    "when": ColumnKind.DATETIME,
    "name": ColumnKind.TEXT,
    "survived": ColumnKind.CATEGORICAL,
}
chain = ChainSpec((
    StepSpec("impute", ("age",), {"strategy": "median"}),
    StepSpec("one_hot", ("sex",)),
    StepSpec("group_rare", ("deck",)),
    StepSpec("datetime_parts", ("when",)),
    StepSpec("tfidf", ("name",)),
    StepSpec("impute", ("deck",), {"strategy": "mean"}),
    StepSpec("pca", (), {"n_components": 2}),
))
alert = Alert(
    kind="high_missing",
    columns=("age",),
    severity="warning",
    value=0.2,
    threshold=0.1,
    message="'age' is 20% missing",
    fix="Fill the missing values",
    fix_step="impute",
)
fix = fix_for_alert(alert, kinds)
resolved = resolve_chain(chain, kinds, "survived")
result = {
    "steps": len(all_steps()),
    "problems": [p.step_index for p in resolved.problems],
    "columns": {c: k.value for c, k in resolved.columns_at(2).items()},
    "blockers": [step for _, step, _ in onnx_blockers(resolved)],
    "fix": [fix.step, list(fix.columns), dict(fix.params)],
}
"""
    + REPORT_HEAVY
    + """
print(json.dumps({"heavy": heavy, "result": result}))
"""
)


def _run(code: str, **env: str) -> dict:
    completed = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_chain_validation_and_fixes_leave_scikit_learn_unloaded() -> None:
    report = _run(CHAIN_WORK)
    assert report["heavy"] == []
    # The work really ran: every step is declared, the walk tracked kinds and found the problem.
    result = report["result"]
    assert result["steps"] == len(all_steps())
    assert result["problems"] == [5]  # mean imputation of the categorical 'deck'
    assert result["columns"] == {
        "age": "numeric",
        "sex": "numeric",  # one-hot made it numeric
        "deck": "categorical",
        "when": "datetime",
        "name": "text",
    }
    assert result["blockers"] == []  # every step converts to ONNX
    assert result["fix"] == ["impute", ["age"], {"strategy": "median"}]


def test_main_window_import_leaves_scikit_learn_unloaded() -> None:
    code = "import workbench.gui.main_window\n" + REPORT_HEAVY + "print(json.dumps(heavy))"
    completed = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout.strip().splitlines()[-1]) == []


def test_every_lazy_factory_names_a_real_function() -> None:
    # A typo in a factory's name would only show when a chain using the step is compiled.
    lazy = {
        name: step.factory
        for name, step in all_steps().items()
        if isinstance(step.factory, LazyFactory)
    }
    for step in all_steps().values():
        if step.stage in (Stage.COLUMNS, Stage.MATRIX) and not step.drops_input:
            assert step.name in lazy, f"{step.name} has no lazy factory"
    for name, factory in lazy.items():
        assert callable(factory.resolve()), name


def test_declared_choices_match_their_implementations() -> None:
    from workbench.core.steps import numeric_impl, select_impl

    assert tuple(select_impl.SCORES) == select.SCORE_NAMES
    assert tuple(numeric_impl.SCALERS) == numeric.SCALER_NAMES
