"""The parts of an exported script on their own: every split scheme's code draws the rows
`plan_split` draws; copied workbench source runs like the original; estimators are written as
the code that rebuilds them; what cannot be written is refused by name."""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from workbench.core.chain.compile import PrepareColumns
from workbench.core.errors import WorkbenchError
from workbench.core.export.script.bundle import SourceBundle
from workbench.core.export.script.objects import CodeWriter, public_module
from workbench.core.export.script.split import split_stage
from workbench.core.kinds import TaskType
from workbench.core.specs import SplitSpec
from workbench.core.train.splits import plan_split


def _namespace(code: str, writer_imports: set, bundle: SourceBundle) -> dict:
    """Execute imports, copied definitions and `code` as a script module would."""
    lines = [line.text() for line in sorted(writer_imports | bundle.imports, key=str)]
    source = "\n".join(["from __future__ import annotations", *lines, *bundle.definitions, code])
    namespace: dict = {"__name__": "exported"}
    exec(compile(source, "exported.py", "exec"), namespace)
    return namespace


@pytest.fixture(scope="module")
def titanic(shared_data: Path) -> pd.DataFrame:
    frame = pd.read_csv(shared_data / "clean" / "titanic.csv")
    frame["passenger"] = np.arange(len(frame)) * 7 + 3  # an id for the hash split
    return frame


SCHEMES = [
    SplitSpec("holdout"),
    SplitSpec("holdout", shuffle=False, test_fraction=0.25),
    SplitSpec("kfold", n_splits=4),
    SplitSpec("kfold", n_splits=3, shuffle=False),
    SplitSpec("stratified_kfold", n_splits=5, test_fraction=0.0),
    SplitSpec("repeated_kfold", n_splits=3, n_repeats=2),
    SplitSpec("group_kfold", n_splits=3, group_column="deck"),
    SplitSpec("group_kfold", n_splits=3, group_column="embark_town", test_fraction=0.0),
    SplitSpec("timeseries", n_splits=4, time_column="fare"),
    SplitSpec("timeseries", n_splits=3, time_column="fare", test_fraction=0.0),
    SplitSpec("hash", id_column="passenger"),
    SplitSpec("hash", id_column="passenger", test_fraction=0.0),
]


@pytest.mark.shared_data
@pytest.mark.parametrize("spec", SCHEMES, ids=lambda s: f"{s.scheme}-{s.test_fraction}-{s.shuffle}")
@pytest.mark.parametrize("task", [TaskType.BINARY, TaskType.REGRESSION])
def test_each_schemes_code_draws_the_rows_plan_split_draws(
    titanic: pd.DataFrame, spec: SplitSpec, task: TaskType
) -> None:
    target = "survived" if task == TaskType.BINARY else "age"  # age: 177 rows unlabelled
    bundle = SourceBundle()
    stage, imports = split_stage(spec, task, bundle)
    namespace = _namespace(f"SEED = 7\nTARGET = {target!r}\n" + stage.code, imports, bundle)
    test, folds = namespace["split_rows"](titanic)
    plan = plan_split(titanic, target, task, spec, seed=7)
    np.testing.assert_array_equal(test, plan.test_rows)
    assert len(folds) == len(plan.folds) >= 1
    for (train, valid), (want_train, want_valid) in zip(folds, plan.folds, strict=True):
        np.testing.assert_array_equal(train, want_train)
        np.testing.assert_array_equal(valid, want_valid)


def _defined(block: str) -> str:
    node = ast.parse(block).body[0]
    if isinstance(node, ast.Assign):
        return node.targets[0].id  # type: ignore[attr-defined]
    return node.name  # type: ignore[attr-defined]


def test_copied_source_brings_what_it_reads_first_and_runs_the_same() -> None:
    bundle = SourceBundle()
    assert bundle.add(PrepareColumns) == "PrepareColumns"
    names = [_defined(block) for block in bundle.definitions]
    # The constant and helpers the class reads come before it; nothing else is copied.
    assert names[-1] == "PrepareColumns"
    assert set(names[:-1]) == {"PREPARED_COLUMNS", "_prepared", "_with_prepared"}
    assert names.index("_prepared") < names.index("_with_prepared")
    texts = {line.text() for line in bundle.imports}
    assert "import numpy as np" in texts and "import pandas as pd" in texts
    assert "from sklearn.utils.validation import check_is_fitted" in texts
    assert not any("workbench" in text for text in texts)
    copy = _namespace("", set(), bundle)["PrepareColumns"]
    frame = pd.DataFrame(
        {"town": pd.Series(["a", None, "b"], dtype="string"), "flag": [True, False, True]}
    )
    mine, theirs = copy().fit_transform(frame), PrepareColumns().fit_transform(frame)
    pd.testing.assert_frame_equal(mine, theirs)
    assert mine["town"].dtype == object and mine["flag"].dtype == np.float64


def test_two_workbench_names_alike_are_refused() -> None:
    from workbench.core.models import factories, shared_params

    bundle = SourceBundle()
    bundle.add(factories.max_features_param)
    with pytest.raises(WorkbenchError) as caught:
        bundle.add(shared_params.max_features_param)
    assert str(caught.value) == (
        "the script would define 'max_features_param' twice (from "
        "workbench.core.models.factories and from workbench.core.models.shared_params)"
    )
    with pytest.raises(WorkbenchError, match="is not a top-level class or function"):
        bundle.add(pd.DataFrame)


def test_estimators_are_written_as_the_code_that_builds_them() -> None:
    writer = CodeWriter()
    encoder = OneHotEncoder(handle_unknown="ignore", dtype=np.float32, min_frequency=np.int64(3))
    written = writer.expression(encoder)
    assert written == ("OneHotEncoder(dtype=np.float32, handle_unknown='ignore', min_frequency=3)")
    scaler = StandardScaler().set_output(transform="pandas")
    assert writer.expression(scaler) == "StandardScaler().set_output(transform='pandas')"
    assert writer.expression(scaler, pandas_output=True) == "StandardScaler()"
    logs = FunctionTransformer(functools.partial(np.clip, a_min=0.0), inverse_func=np.log1p)
    assert writer.expression(logs) == (
        "FunctionTransformer(func=partial(np.clip, a_min=0.0), inverse_func=np.log1p)"
    )
    assert writer.expression([np.nan, -np.inf, (1,)]) == "[np.nan, -np.inf, (1,)]"
    texts = {line.text() for line in writer.imports}
    assert texts == {
        "from sklearn.preprocessing import OneHotEncoder",
        "from sklearn.preprocessing import StandardScaler",
        "from sklearn.preprocessing import FunctionTransformer",
        "from functools import partial",
        "import numpy as np",
    }
    rebuilt = eval(written, {"OneHotEncoder": OneHotEncoder, "np": np})
    assert rebuilt.get_params() == clone(encoder).get_params()
    assert public_module(OneHotEncoder) == "sklearn.preprocessing"


def test_a_value_that_is_not_code_is_refused_by_its_type() -> None:
    with pytest.raises(WorkbenchError) as caught:
        CodeWriter().expression(StandardScaler(with_mean=re.compile("[0-9]+")))
    assert str(caught.value) == "cannot write a Pattern value (re.compile('[0-9]+')) as code"
