"""Parameter declarations and chain specs: coercion, messages, JSON round trips, edits."""

from __future__ import annotations

import json

import pytest

from workbench.core.errors import WorkbenchError
from workbench.core.params import Param, ParamType, resolve_params
from workbench.core.specs import ChainSpec, StepSpec

DECLARED = (
    Param("n_bins", "Bins", ParamType.INT, 5, minimum=2, maximum=100),
    Param("threshold", "Threshold", ParamType.FLOAT, 0.95, minimum=0.0, maximum=1.0),
    Param("standardize", "Standardize", ParamType.BOOL, True),
    Param("method", "Method", ParamType.CHOICE, "standard", choices=("standard", "robust")),
    Param("parts", "Parts", ParamType.MULTI_CHOICE, ("year",), choices=("year", "month")),
    Param("order", "Order", ParamType.TEXT_LIST, ()),
    Param("k", "K", ParamType.INT, None, optional=True, minimum=1),
)


def test_defaults_fill_what_is_not_given() -> None:
    values = resolve_params(DECLARED, {}, "step 'x'")
    assert values == {
        "n_bins": 5, "threshold": 0.95, "standardize": True, "method": "standard",
        "parts": ("year",), "order": (), "k": None,
    }  # fmt: skip


def test_strings_from_the_cli_and_forms_are_coerced() -> None:
    given = {
        "n_bins": "7", "threshold": "0.5", "standardize": "no", "method": "robust",
        "parts": "year, month", "order": ["Fair", "Good"], "k": 3.0,
    }  # fmt: skip
    values = resolve_params(DECLARED, given, "step 'x'")
    assert values == {
        "n_bins": 7, "threshold": 0.5, "standardize": False, "method": "robust",
        "parts": ("year", "month"), "order": ("Fair", "Good"), "k": 3,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"n_bins": 1}, "step 'bin': parameter 'n_bins' must be at least 2, got 1"),
        ({"n_bins": 2.5}, "step 'bin': parameter 'n_bins' got 2.5: expected a whole number"),
        ({"threshold": "high"}, "parameter 'threshold' got 'high'"),
        ({"method": "fancy"}, "parameter 'method' must be one of standard, robust; got 'fancy'"),
        ({"parts": ["day"]}, "parameter 'parts' has unknown choices ['day']"),
        ({"standardize": "maybe"}, "parameter 'standardize' got 'maybe': expected true or false"),
        ({"n_bins": None}, "parameter 'n_bins' needs a value"),
        ({"colour": 1}, "step 'bin' has no parameter 'colour'; its parameters: n_bins, threshold"),
    ],
)
def test_bad_values_name_the_owner_and_parameter(given: dict, message: str) -> None:
    with pytest.raises(WorkbenchError) as caught:
        resolve_params(DECLARED, given, "step 'bin'")
    assert message in str(caught.value)


CHAIN = ChainSpec(
    (
        StepSpec("impute", ("age",), {"strategy": "median"}),
        StepSpec("one_hot", ("sex", "embarked"), {"min_frequency": 0.01}),
        StepSpec("ordinal", ("class",), {"order": ("First", "Second", "Third")}, enabled=False),
    )
)


def test_chain_round_trips_through_json_text() -> None:
    text = json.dumps(CHAIN.to_dict())
    assert ChainSpec.from_dict(json.loads(text)) == CHAIN
    assert ChainSpec.from_dict(None) == ChainSpec()


def test_edits_return_new_chains_and_leave_the_old_one() -> None:
    names = lambda chain: [step.step for step in chain.steps]  # noqa: E731
    assert names(CHAIN.moved(0, 2)) == ["one_hot", "ordinal", "impute"]
    assert names(CHAIN.removed(1)) == ["impute", "ordinal"]
    assert names(CHAIN.inserted(1, StepSpec("log1p", ("fare",)))) == [
        "impute", "log1p", "one_hot", "ordinal",
    ]  # fmt: skip
    assert CHAIN.toggled(2).steps[2].enabled is True
    assert [step.step for step in CHAIN.toggled(0).enabled_steps] == ["one_hot"]
    assert names(CHAIN) == ["impute", "one_hot", "ordinal"]


def test_a_step_without_a_name_is_refused() -> None:
    with pytest.raises(WorkbenchError, match=r"'chain.steps\[0\].step' is missing"):
        ChainSpec.from_dict({"steps": [{"columns": ["a"]}]})
