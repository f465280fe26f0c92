"""SplitSpec -> which rows are tested, trained on and validated: a SplitPlan of row positions.

The test set is chosen first and never seen again until the final score; the validation scheme
then splits the remaining rows into folds. A plan holds positions (`frame.iloc[...]`) into the
frame it was planned on, so the runner, the experiment log and a later re-run all agree on
which rows went where.

Decisions:
- Rows whose target is missing are in no split (`SplitPlan.unlabelled`): they cannot be scored,
  and stratifying on a missing label is impossible.
- The test set: whole groups for group_kfold, the latest rows for timeseries, rows whose id
  hashes into the top `test_fraction` of [0, 1) for hash, else a random sample (stratified by
  the target for classification). `shuffle=False` takes the last rows instead of a sample.
- `validation_fraction` is the share of the non-test rows (holdout and hash alike). The hash
  split makes a row validation when its id's bucket is below validation_fraction x (1 -
  test_fraction), a region disjoint from the test region: a row's place depends on its id only,
  so shuffling the rows or appending new ones never moves an old id.
- Time series: rows are ordered by time (position breaks ties) and every boundary between
  training and validation (and before the test set) is moved to the nearest change of time,
  so validation and test times are strictly later than every training time.
- group_kfold uses scikit-learn's GroupKFold without shuffling (deterministic, sizes balanced;
  its shuffle option needs scikit-learn 1.6); a missing group value is one group of its own.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from workbench.core.errors import WorkbenchError
from workbench.core.kinds import TaskType
from workbench.core.schemes import split_schemes
from workbench.core.specs import SplitSpec

MAX_TEST_FRACTION = 0.5
EMPTY = np.empty(0, dtype=np.int64)

Fold = tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True, eq=False)
class SplitPlan:
    """Row positions into the planned frame, each array sorted.

    `test_rows`: the untouched test set (empty when test_fraction is 0). `folds`: (training,
    validation) positions, all among the labelled non-test rows. `unlabelled`: rows with a
    missing target, in no split. `notes`: sentences for the run's notes (a fallback taken).
    """

    test_rows: np.ndarray
    folds: tuple[Fold, ...]
    unlabelled: np.ndarray = field(default_factory=lambda: EMPTY)
    notes: tuple[str, ...] = ()

    @property
    def development_rows(self) -> np.ndarray:
        """The rows the final model is fitted on: every labelled row outside the test set."""
        if not self.folds:
            return EMPTY
        # Every fold of time-series validation leaves later rows out: take the union.
        return np.unique(np.concatenate([part for fold in self.folds for part in fold]))

    def to_dict(self) -> dict[str, object]:
        """Plain lists, for a run's artifacts."""
        return {
            "test_rows": self.test_rows.tolist(),
            "folds": [[train.tolist(), valid.tolist()] for train, valid in self.folds],
            "unlabelled": self.unlabelled.tolist(),
            "notes": list(self.notes),
        }


def hash_bucket(values: pd.Series) -> np.ndarray:
    """A number in [0, 1) per value, the same on every machine and run: the first 8 bytes of
    blake2b over the value's text. Whole floats hash as whole numbers (a column read as float
    because of a gap still hashes 7.0 as "7"), so the bucket does not depend on the dtype."""
    if ptypes.is_float_dtype(values.dtype):
        numbers = values.to_numpy(dtype="float64", na_value=np.nan)
        whole = np.isfinite(numbers) & (numbers == np.floor(numbers))
        texts = [str(int(v)) if w else str(v) for v, w in zip(numbers, whole, strict=True)]
    else:
        texts = [str(v) for v in values.to_numpy(dtype=object)]
    digests = b"".join(hashlib.blake2b(t.encode("utf-8"), digest_size=8).digest() for t in texts)
    return np.frombuffer(digests, dtype=">u8").astype(np.float64) / 2.0**64


# --- the plan --------------------------------------------------------------------------------


def plan_split(
    frame: pd.DataFrame, target: str, task: TaskType | str, spec: SplitSpec, seed: int = 0
) -> SplitPlan:
    """The test rows and validation folds for `frame` under `spec`; a WorkbenchError naming
    the problem (missing column, too few rows of a class, fractions out of range)."""
    task = TaskType(task)
    _check_spec(frame, target, spec)
    y = frame[target]
    labelled = np.flatnonzero(y.notna().to_numpy())
    unlabelled = np.flatnonzero(y.isna().to_numpy())
    if labelled.size < 2:
        raise WorkbenchError(f"the target '{target}' has {labelled.size} known values; need 2+")
    planner = _Planner(frame, y, task, spec, seed)
    test, rest = planner.test_split(labelled)
    if rest.size < 2:
        raise WorkbenchError(f"only {rest.size} rows are left for training after the test set")
    folds = planner.folds(rest)
    return SplitPlan(
        test_rows=np.sort(test).astype(np.int64),
        folds=tuple(
            (np.sort(train).astype(np.int64), np.sort(valid).astype(np.int64))
            for train, valid in folds
        ),
        unlabelled=unlabelled.astype(np.int64),
        notes=tuple(planner.notes),
    )


def _check_spec(frame: pd.DataFrame, target: str, spec: SplitSpec) -> None:
    scheme = split_schemes()[spec.scheme]
    if target not in frame.columns:
        raise WorkbenchError(f"target column '{target}' is not in the data")
    if not 0 <= spec.test_fraction <= MAX_TEST_FRACTION:
        raise WorkbenchError(
            f"the test fraction must be between 0 and {MAX_TEST_FRACTION}, "
            f"got {spec.test_fraction:g}"
        )
    if scheme.count == "fraction" and not 0 < spec.validation_fraction < 1:
        raise WorkbenchError(
            f"the validation fraction must be above 0 and below 1, got {spec.validation_fraction:g}"
        )
    if scheme.count == "folds" and spec.n_splits < 2:
        raise WorkbenchError(f"k-fold validation needs at least 2 folds, got {spec.n_splits}")
    if scheme.repeats and spec.n_repeats < 1:
        raise WorkbenchError(f"repeated k-fold needs at least 1 repeat, got {spec.n_repeats}")
    if scheme.column is not None:
        column = getattr(spec, scheme.column.setting)
        if not column:
            raise WorkbenchError(scheme.column_missing)
        role = scheme.column.role
        if column not in frame.columns:
            raise WorkbenchError(f"{role} column '{column}' is not in the data")
        if column == target:
            raise WorkbenchError(f"the {role} column cannot be the target '{target}'")


def _label(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _Planner:
    """One plan's state: the frame, target, spec and seed, and the notes taken on the way."""

    def __init__(
        self, frame: pd.DataFrame, y: pd.Series, task: TaskType, spec: SplitSpec, seed: int
    ) -> None:
        self.frame = frame
        self.y = y
        self.classify = task != TaskType.REGRESSION
        self.spec = spec
        self.scheme = split_schemes()[spec.scheme]
        self.seed = seed
        self.notes: list[str] = []
        self._times: np.ndarray | None = None
        self._buckets: np.ndarray | None = None
        self._codes: np.ndarray | None = None
        self._classes: pd.Index | np.ndarray = np.empty(0)

    # -- the test set ---------------------------------------------------------------------

    def test_split(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(test, rest) positions among `rows`."""
        fraction = self.spec.test_fraction
        planner = self.scheme.planner
        if fraction == 0:
            return EMPTY, rows
        if planner == "hash":
            test = self.buckets(rows) >= 1.0 - fraction
            return rows[test], rows[~test]
        if planner == "timeseries":
            ordered, times = self.by_time(rows)
            cut = snap_to_time_boundary(times, ordered.size - math.ceil(fraction * ordered.size))
            if cut <= 0 or cut >= ordered.size:
                raise self._few_times(times)
            return ordered[cut:], ordered[:cut]
        if planner == "group_kfold":
            from sklearn.model_selection import GroupShuffleSplit

            splitter = GroupShuffleSplit(n_splits=1, test_size=fraction, random_state=self.seed)
            rest, test = next(splitter.split(rows, groups=self.groups(rows)))
            if rest.size == 0:
                raise WorkbenchError("the test set would take every group; lower the fraction")
            return rows[test], rows[rest]
        n_test = math.ceil(fraction * rows.size)
        if not self.spec.shuffle:
            return rows[rows.size - n_test :], rows[: rows.size - n_test]
        stratify = None
        if self.classify:
            stratify = self.labels(rows)
            self._check_classes(stratify, 2, "a stratified test set")
            classes = np.unique(stratify).size
            if n_test < classes:
                raise WorkbenchError(
                    f"a test set of {n_test} rows cannot hold all {classes} classes: "
                    "raise the test fraction"
                )
        from sklearn.model_selection import train_test_split

        rest, test = train_test_split(
            rows, test_size=n_test, random_state=self.seed, stratify=stratify
        )
        return test, rest

    # -- the validation folds ---------------------------------------------------------------

    def folds(self, rows: np.ndarray) -> list[Fold]:
        planner = self.scheme.planner
        if planner == "holdout":
            return [self._holdout(rows)]
        if planner == "hash":
            share = self.spec.validation_fraction * (1.0 - self.spec.test_fraction)
            valid = self.buckets(rows) < share
            if valid.all() or not valid.any():
                raise WorkbenchError(
                    "the hash split put every row on one side: the data has too few ids"
                )
            return [(rows[~valid], rows[valid])]
        if planner == "timeseries":
            return self._timeseries(rows)
        if planner == "group_kfold":
            return self._group_kfold(rows)
        return self._kfold(rows)

    def _holdout(self, rows: np.ndarray) -> Fold:
        from sklearn.model_selection import train_test_split

        n_valid = math.ceil(self.spec.validation_fraction * rows.size)
        if n_valid >= rows.size:
            raise WorkbenchError(f"a hold-out of {rows.size} rows leaves none for training")
        if not self.spec.shuffle:
            return rows[: rows.size - n_valid], rows[rows.size - n_valid :]
        stratify = None
        if self.classify:
            stratify = self.labels(rows)
            self._check_classes(stratify, 2, "a stratified hold-out")
        train, valid = train_test_split(
            rows, test_size=n_valid, random_state=self.seed, stratify=stratify
        )
        return train, valid

    def _kfold(self, rows: np.ndarray) -> list[Fold]:
        from sklearn.model_selection import (
            KFold,
            RepeatedKFold,
            RepeatedStratifiedKFold,
            StratifiedKFold,
        )

        k, scheme = self.spec.n_splits, self.scheme
        stratified = self.classify and scheme.stratified
        if scheme.classification_only and not self.classify:
            self.notes.append(f"{scheme.label.lower()} needs classes: regression uses plain k-fold")
        if rows.size < k:
            raise WorkbenchError(f"{k}-fold validation needs at least {k} rows, got {rows.size}")
        labels = self.labels(rows) if stratified else None
        if labels is not None:
            self._check_classes(labels, k, f"stratified {k}-fold")
        state = self.seed if self.spec.shuffle else None
        if scheme.repeats:
            cls = RepeatedStratifiedKFold if stratified else RepeatedKFold
            splitter = cls(n_splits=k, n_repeats=self.spec.n_repeats, random_state=self.seed)
        elif stratified:
            splitter = StratifiedKFold(n_splits=k, shuffle=self.spec.shuffle, random_state=state)
        else:
            splitter = KFold(n_splits=k, shuffle=self.spec.shuffle, random_state=state)
        target = labels if labels is not None else np.zeros(rows.size)
        return [(rows[a], rows[b]) for a, b in splitter.split(rows, target)]

    def _group_kfold(self, rows: np.ndarray) -> list[Fold]:
        from sklearn.model_selection import GroupKFold

        k = self.spec.n_splits
        groups = self.groups(rows)
        count = len(np.unique(groups))
        if count < k:
            raise WorkbenchError(
                f"{self.scheme.label.lower()} with {k} folds needs at least {k} groups; "
                f"'{self.spec.group_column}' has {count} outside the test set"
            )
        splitter = GroupKFold(n_splits=k)
        return [(rows[a], rows[b]) for a, b in splitter.split(rows, groups=groups)]

    def _timeseries(self, rows: np.ndarray) -> list[Fold]:
        ordered, times = self.by_time(rows)
        k = self.spec.n_splits
        size = ordered.size // (k + 1)
        if size == 0:
            raise WorkbenchError(f"{k} time-series folds need at least {k + 1} rows")
        starts = [snap_to_time_boundary(times, ordered.size - (k - i) * size) for i in range(k)]
        folds = []
        for i, start in enumerate(starts):
            end = starts[i + 1] if i + 1 < k else ordered.size
            if start == 0 or end <= start:
                raise self._few_times(times)
            folds.append((ordered[:start], ordered[start:end]))
        return folds

    def _few_times(self, times: np.ndarray) -> WorkbenchError:
        distinct = np.unique(times).size
        return WorkbenchError(
            f"time column '{self.spec.time_column}' has {distinct:,} distinct "
            f"time{'s' * (distinct != 1)}: too few for {self.spec.n_splits} time-series folds"
            + (" and a test set" if self.spec.test_fraction else "")
        )

    # -- columns ----------------------------------------------------------------------------

    def labels(self, rows: np.ndarray) -> np.ndarray:
        """Class codes of `rows` (0..k-1 in sorted label order): integers stratify a million
        rows several times faster than the labels themselves."""
        if self._codes is None:
            self._codes, self._classes = pd.factorize(self.y, sort=True)
        return self._codes[rows]

    def _check_classes(self, codes: np.ndarray, need: int, what: str) -> None:
        counts = np.bincount(codes, minlength=len(self._classes))
        present = np.flatnonzero(counts)
        if present.size < 2:
            raise WorkbenchError(f"{what} needs at least 2 classes, got {present.size}")
        smallest = present[int(np.argmin(counts[present]))]
        count = int(counts[smallest])
        if count < need:
            raise WorkbenchError(
                f"class '{_label(self._classes[smallest])}' has {count} "
                f"row{'s' * (count != 1)}; {what} needs at least {need}"
            )

    def groups(self, rows: np.ndarray) -> np.ndarray:
        column = self.frame[self.spec.group_column].iloc[rows]
        codes, _ = pd.factorize(column, use_na_sentinel=False)
        return codes

    def buckets(self, rows: np.ndarray) -> np.ndarray:
        if self._buckets is None:
            column = self.frame[self.spec.id_column]
            missing = int(column.isna().sum())
            if missing:
                raise WorkbenchError(
                    f"id column '{self.spec.id_column}' has {missing:,} missing values: "
                    "the hash split needs an id in every row"
                )
            self._buckets = hash_bucket(column)
        return self._buckets[rows]

    def by_time(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`rows` ordered by time (position breaks ties), and their times in that order."""
        if self._times is None:
            self._times = time_values(self.frame[self.spec.time_column])
        times = self._times[rows]
        order = np.lexsort((rows, times))
        return rows[order], times[order]


def time_values(column: pd.Series) -> np.ndarray:
    """The time column as sortable float64 numbers (dates as nanoseconds)."""
    name = column.name
    if ptypes.is_datetime64_any_dtype(column.dtype):
        values = column.dt.tz_localize(None) if column.dt.tz is not None else column
        numbers = values.astype("datetime64[ns]").to_numpy().astype(np.int64).astype(np.float64)
        numbers[values.isna().to_numpy()] = np.nan
    elif ptypes.is_numeric_dtype(column.dtype) and not ptypes.is_bool_dtype(column.dtype):
        numbers = column.to_numpy(dtype="float64", na_value=np.nan)
    else:
        raise WorkbenchError(f"time column '{name}' holds neither dates nor numbers")
    missing = int(np.isnan(numbers).sum())
    if missing:
        raise WorkbenchError(
            f"time column '{name}' has {missing:,} missing values: drop or fill those rows first"
        )
    return numbers


def snap_to_time_boundary(times: np.ndarray, cut: int) -> int:
    """`cut` moved to the nearest boundary between two different times (forward on a tie), so
    rows with equal times are never split; 0 or len(times) when there is no such boundary."""
    if cut <= 0 or cut >= times.size or times[cut - 1] != times[cut]:
        return cut
    forward = int(np.searchsorted(times, times[cut], side="right"))
    backward = int(np.searchsorted(times, times[cut], side="left"))
    if backward == 0 or (forward < times.size and forward - cut <= cut - backward):
        return forward
    return backward
