"""Split schemes and tuning methods: every validation scheme and search declared once.

A declaration says what the Train panel shows (label, help), which SplitSpec settings the
scheme uses (a fold count or a validation share, repeats, a column and the kinds that suit
it), how the command line writes it (`kfold:5`, `group_kfold:5:COLUMN`, `random:60s`) and
which planning algorithm of `train.splits` makes its rows. The Train panel's widgets, the
CLI's parsers and help texts and the specs' validation are built from these declarations:
adding a scheme that plans like an existing one, or a method, is one `register_*` call.
No scikit-learn here: the window reads the declarations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from workbench.core.kinds import ColumnKind

SplitCount = Literal["folds", "fraction"]
# The algorithms train.splits knows: how a scheme's test rows and folds are made.
SplitPlanner = Literal["kfold", "holdout", "group_kfold", "timeseries", "hash"]
TaskFamily = Literal["classification", "regression"]
# How a search draws its candidates (train.search.candidates).
Sampling = Literal["grid", "random"]


@dataclass(frozen=True)
class ColumnNeed:
    """A column a scheme needs: the SplitSpec setting holding it, the word messages use for
    it ("group column 'x' is not in the data"), the Train panel's label and the column kinds
    its picker offers (and how to say them)."""

    setting: str
    role: str
    label: str
    what: str  # "a group column"
    kinds: tuple[ColumnKind, ...]
    kinds_text: str  # "a category, ID-like or text"


GROUP_COLUMN = ColumnNeed(
    "group_column",
    "group",
    "Group column",
    "a group column",
    (ColumnKind.CATEGORICAL, ColumnKind.IDENTIFIER, ColumnKind.TEXT),
    "a category, ID-like or text",
)
TIME_COLUMN = ColumnNeed(
    "time_column",
    "time",
    "Time column",
    "a time column",
    (ColumnKind.DATETIME, ColumnKind.NUMERIC),
    "a date/time or numeric",
)
ID_COLUMN = ColumnNeed(
    "id_column",
    "id",
    "Id column",
    "an id column",
    (ColumnKind.IDENTIFIER, ColumnKind.TEXT),
    "an ID-like or text",
)


@dataclass(frozen=True)
class SplitScheme:
    """A validation scheme.

    `count` is what the number after its name sets: "folds" (n_splits) or "fraction"
    (validation_fraction); `repeats` adds n_repeats (`5x3`); `column` is the column it needs
    and `column_missing` the sentence when none is given. `stratified` splits keep each class's
    share; `classification_only` schemes are offered for classification only (elsewhere they
    fall back to the plain algorithm with a note). `default_for` names the task families it is
    the usual choice for.
    """

    name: str
    label: str
    help: str
    planner: SplitPlanner
    count: SplitCount
    repeats: bool = False
    column: ColumnNeed | None = None
    column_missing: str = ""
    stratified: bool = False
    classification_only: bool = False
    default_for: tuple[TaskFamily, ...] = ()

    def cli_form(self) -> str:
        """How the command line writes it: `kfold:5`, `repeated_kfold:5x3`, `hash:0.2:COLUMN`."""
        number = "0.2" if self.count == "fraction" else "5x3" if self.repeats else "5"
        return f"{self.name}:{number}" + (":COLUMN" if self.column is not None else "")


@dataclass(frozen=True)
class TuneMethod:
    """A hyperparameter search: how it draws candidates (`sampling`, None for no search) and
    whether it races them on growing shares of the rows (`halving`); `examples` are its
    command-line forms and `budget_example` its time-budget form."""

    name: str
    label: str
    help: str
    sampling: Sampling | None
    halving: bool = False
    examples: tuple[str, ...] = ()
    budget_example: str = ""

    @property
    def searches(self) -> bool:
        """False for "none": no trials, no budget."""
        return self.sampling is not None


_SCHEMES: dict[str, SplitScheme] = {}
_METHODS: dict[str, TuneMethod] = {}


def register_split_scheme(scheme: SplitScheme) -> SplitScheme:
    if scheme.name in _SCHEMES:
        raise ValueError(f"split scheme '{scheme.name}' is registered twice")
    if scheme.column is not None and not scheme.column_missing:
        raise ValueError(f"split scheme '{scheme.name}' needs a column but says nothing of it")
    _SCHEMES[scheme.name] = scheme
    return scheme


def unregister_split_scheme(name: str) -> None:
    """Take a scheme out (a test's scheme), so nothing keeps offering it."""
    del _SCHEMES[name]


def split_schemes() -> Mapping[str, SplitScheme]:
    """Every scheme, in the order the Train panel offers them (read-only)."""
    return MappingProxyType(_SCHEMES)


def column_needs() -> list[ColumnNeed]:
    """The distinct columns the schemes need, in the order the schemes first need them."""
    needs: list[ColumnNeed] = []
    for scheme in _SCHEMES.values():
        if scheme.column is not None and scheme.column not in needs:
            needs.append(scheme.column)
    return needs


def default_split_scheme(family: TaskFamily) -> str:
    return next(name for name, scheme in _SCHEMES.items() if family in scheme.default_for)


def register_tune_method(method: TuneMethod) -> TuneMethod:
    if method.name in _METHODS:
        raise ValueError(f"tuning method '{method.name}' is registered twice")
    _METHODS[method.name] = method
    return method


def unregister_tune_method(name: str) -> None:
    del _METHODS[name]


def tune_methods() -> Mapping[str, TuneMethod]:
    """Every tuning method, in the order the Train panel offers them (read-only)."""
    return MappingProxyType(_METHODS)


register_split_scheme(
    SplitScheme(
        "holdout",
        "Hold-out",
        "One validation set, a share of the training rows (stratified for classification). "
        "Fast; the score depends on which rows were drawn.",
        planner="holdout",
        count="fraction",
    )
)
register_split_scheme(
    SplitScheme(
        "kfold",
        "K-fold",
        "The training rows are cut into k folds; each fold is validated once on a model fitted "
        "on the others.",
        planner="kfold",
        count="folds",
        default_for=("regression",),
    )
)
register_split_scheme(
    SplitScheme(
        "stratified_kfold",
        "Stratified k-fold",
        "K-fold keeping each class's share in every fold: the usual choice for classification.",
        planner="kfold",
        count="folds",
        stratified=True,
        classification_only=True,
        default_for=("classification",),
    )
)
register_split_scheme(
    SplitScheme(
        "repeated_kfold",
        "Repeated k-fold",
        "K-fold done several times with different shuffles: steadier scores, k × repeats fits.",
        planner="kfold",
        count="folds",
        repeats=True,
        stratified=True,
    )
)
register_split_scheme(
    SplitScheme(
        "group_kfold",
        "Group k-fold",
        "Rows sharing a group value (a patient, a store) stay in the same fold, so validation "
        "never sees a group the model was fitted on.",
        planner="group_kfold",
        count="folds",
        column=GROUP_COLUMN,
        column_missing="group k-fold needs a group column",
    )
)
register_split_scheme(
    SplitScheme(
        "timeseries",
        "Time-series split",
        "Folds in time order: each validates on rows later than every row it was fitted on.",
        planner="timeseries",
        count="folds",
        column=TIME_COLUMN,
        column_missing="time-series validation needs a time column",
    )
)
register_split_scheme(
    SplitScheme(
        "hash",
        "Hash split on an id",
        "A row's id decides its split (a hash), so the same row always lands in the same split, "
        "even after rows are added or shuffled.",
        planner="hash",
        count="fraction",
        column=ID_COLUMN,
        column_missing="the hash split needs an id column",
    )
)

register_tune_method(
    TuneMethod(
        "none",
        "No tuning (use the settings as set)",
        "Each model is trained once with its settings.",
        sampling=None,
        examples=("none",),
    )
)
register_tune_method(
    TuneMethod(
        "grid",
        "Grid search",
        "Tries evenly spread values of each tuned setting (at most the trial budget).",
        sampling="grid",
        examples=("grid", "grid:50"),
    )
)
register_tune_method(
    TuneMethod(
        "random",
        "Random search",
        "Tries random combinations from each model's search space.",
        sampling="random",
        examples=("random:30",),
        budget_example="random:60s",
    )
)
register_tune_method(
    TuneMethod(
        "halving",
        "Successive halving",
        "Starts many combinations on a little data and gives more data only to the best.",
        sampling="random",
        halving=True,
        examples=("halving:30",),
    )
)
