"""The script's split stage: the run's test rows and validation folds, drawn the same way.

The workbench sets the test rows aside first (before any search), then cuts the rest into
folds; every random choice takes the run's seed, and classes are stratified on their codes in
sorted label order. Each scheme is written as the few lines of scikit-learn or NumPy it runs,
so the reader sees exactly which rows were held out; only the scheme the run used is written.
"""

from __future__ import annotations

from workbench.core.errors import WorkbenchError
from workbench.core.export.script.bundle import ImportLine
from workbench.core.export.script.sections import Stage
from workbench.core.kinds import TaskType
from workbench.core.schemes import split_schemes
from workbench.core.specs import SplitSpec

NUMPY = ImportLine("numpy", "", "np")

# Helpers a scheme's code calls, written only when it does.
_TIME_HELPERS = '''
def time_order(frame: pd.DataFrame, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`rows` ordered by TIME_COLUMN (position breaks ties), and their times in that order."""
    column = frame[TIME_COLUMN]
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        naive = column.dt.tz_localize(None) if column.dt.tz is not None else column
        times = naive.astype("datetime64[ns]").to_numpy().astype(np.int64).astype(np.float64)
    else:
        times = column.to_numpy(dtype="float64", na_value=np.nan)
    times = times[rows]
    order = np.lexsort((rows, times))
    return rows[order], times[order]


def snap(times: np.ndarray, cut: int) -> int:
    """`cut` moved to the nearest boundary between two different times (forward on a tie), so
    rows with equal times are never split between training and validation."""
    if cut <= 0 or cut >= times.size or times[cut - 1] != times[cut]:
        return cut
    forward = int(np.searchsorted(times, times[cut], side="right"))
    backward = int(np.searchsorted(times, times[cut], side="left"))
    if backward == 0 or (forward < times.size and forward - cut <= cut - backward):
        return forward
    return backward
'''

_HASH_HELPER = '''
def hash_bucket(values: pd.Series) -> np.ndarray:
    """A number in [0, 1) per id, the same on every machine: the first 8 bytes of blake2b over
    the id's text (whole floats as whole numbers, so 7.0 and 7 share a bucket)."""
    if pd.api.types.is_float_dtype(values.dtype):
        numbers = values.to_numpy(dtype="float64", na_value=np.nan)
        whole = np.isfinite(numbers) & (numbers == np.floor(numbers))
        texts = [str(int(v)) if w else str(v) for v, w in zip(numbers, whole, strict=True)]
    else:
        texts = [str(v) for v in values.to_numpy(dtype=object)]
    digests = b"".join(hashlib.blake2b(t.encode("utf-8"), digest_size=8).digest() for t in texts)
    return np.frombuffer(digests, dtype=">u8").astype(np.float64) / 2.0**64
'''


def split_stage(spec: SplitSpec, task: TaskType, target: str) -> tuple[Stage, set[ImportLine]]:
    """The `split_rows(frame)` function for the run's split, and the imports it needs."""
    scheme = split_schemes()[spec.scheme]
    classify = task != TaskType.REGRESSION
    imports = {NUMPY, ImportLine("pandas", "", "pd")}
    constants = [f"TEST_FRACTION = {spec.test_fraction!r}"]
    helpers = ""
    lines = [
        "labelled = np.flatnonzero(frame[TARGET].notna().to_numpy())",
        "# Class codes in sorted label order: what the workbench stratifies on.",
        "codes = pd.factorize(frame[TARGET], sort=True)[0]" if classify else "",
    ]
    planner = scheme.planner
    fraction = spec.test_fraction
    # -- the test rows --------------------------------------------------------------------
    if fraction == 0:
        lines.append("test, rest = np.empty(0, dtype=np.int64), labelled")
    elif planner == "hash":
        constants.append(f"ID_COLUMN = {spec.id_column!r}")
        imports.add(ImportLine("hashlib"))
        helpers += _HASH_HELPER
        lines += [
            "buckets = hash_bucket(frame[ID_COLUMN])",
            "in_test = buckets[labelled] >= 1.0 - TEST_FRACTION",
            "test, rest = labelled[in_test], labelled[~in_test]",
        ]
    elif planner == "timeseries":
        constants.append(f"TIME_COLUMN = {spec.time_column!r}")
        helpers += _TIME_HELPERS
        lines += [
            "# The latest rows are the test set.",
            "ordered, times = time_order(frame, labelled)",
            "cut = snap(times, ordered.size - math.ceil(TEST_FRACTION * ordered.size))",
            "test, rest = ordered[cut:], ordered[:cut]",
        ]
        imports.add(ImportLine("math"))
    elif planner == "group_kfold":
        constants.append(f"GROUP_COLUMN = {spec.group_column!r}")
        imports.add(ImportLine("sklearn.model_selection", "GroupShuffleSplit"))
        lines += [
            "# Whole groups go to the test set: no group is on both sides.",
            "groups = pd.factorize(frame[GROUP_COLUMN].iloc[labelled], use_na_sentinel=False)[0]",
            "splitter = GroupShuffleSplit(n_splits=1, test_size=TEST_FRACTION, random_state=SEED)",
            "rest_at, test_at = next(splitter.split(labelled, groups=groups))",
            "test, rest = labelled[test_at], labelled[rest_at]",
        ]
    else:
        imports.add(ImportLine("math"))
        lines.append("n_test = math.ceil(TEST_FRACTION * labelled.size)")
        if not spec.shuffle:
            lines.append("test, rest = labelled[labelled.size - n_test :], labelled[: -n_test]")
        else:
            imports.add(ImportLine("sklearn.model_selection", "train_test_split"))
            stratify = "codes[labelled]" if classify else "None"
            lines += [
                "rest, test = train_test_split(",
                f"    labelled, test_size=n_test, random_state=SEED, stratify={stratify}",
                ")",
            ]
    # -- the validation folds -------------------------------------------------------------
    if planner == "holdout":
        constants.append(f"VALIDATION_FRACTION = {spec.validation_fraction!r}")
        imports.add(ImportLine("math"))
        lines.append("n_valid = math.ceil(VALIDATION_FRACTION * rest.size)")
        if not spec.shuffle:
            lines.append("folds = [(rest[: rest.size - n_valid], rest[rest.size - n_valid :])]")
        else:
            imports.add(ImportLine("sklearn.model_selection", "train_test_split"))
            stratify = "codes[rest]" if classify else "None"
            lines += [
                "train, valid = train_test_split(",
                f"    rest, test_size=n_valid, random_state=SEED, stratify={stratify}",
                ")",
                "folds = [(train, valid)]",
            ]
    elif planner == "hash":
        share = spec.validation_fraction * (1.0 - spec.test_fraction)
        lines += [
            f"in_valid = buckets[rest] < {share!r}",
            "folds = [(rest[~in_valid], rest[in_valid])]",
        ]
        if fraction == 0:
            constants.append(f"ID_COLUMN = {spec.id_column!r}")
            imports.add(ImportLine("hashlib"))
            helpers += _HASH_HELPER
            lines.insert(-2, "buckets = hash_bucket(frame[ID_COLUMN])")
    elif planner == "timeseries":
        if fraction == 0:
            constants.append(f"TIME_COLUMN = {spec.time_column!r}")
            helpers += _TIME_HELPERS
        constants.append(f"N_SPLITS = {spec.n_splits!r}")
        lines += [
            "# Each fold trains on the past and validates on the next block of time.",
            "ordered, times = time_order(frame, rest)",
            "size = ordered.size // (N_SPLITS + 1)",
            "starts = [snap(times, ordered.size - (N_SPLITS - i) * size) for i in range(N_SPLITS)]",
            "ends = [*starts[1:], ordered.size]",
            "folds = [(ordered[:start], ordered[start:end]) for start, end in zip(starts, ends)]",
        ]
    elif planner == "group_kfold":
        if fraction == 0:
            constants.append(f"GROUP_COLUMN = {spec.group_column!r}")
        constants.append(f"N_SPLITS = {spec.n_splits!r}")
        imports.add(ImportLine("sklearn.model_selection", "GroupKFold"))
        lines += [
            "groups = pd.factorize(frame[GROUP_COLUMN].iloc[rest], use_na_sentinel=False)[0]",
            "splitter = GroupKFold(n_splits=N_SPLITS)",
            "folds = [(rest[a], rest[b]) for a, b in splitter.split(rest, groups=groups)]",
        ]
    elif planner == "kfold":
        constants.append(f"N_SPLITS = {spec.n_splits!r}")
        stratified = classify and scheme.stratified
        state = "SEED" if spec.shuffle else "None"
        if scheme.repeats:
            name = "RepeatedStratifiedKFold" if stratified else "RepeatedKFold"
            constants.append(f"N_REPEATS = {spec.n_repeats!r}")
            call = f"{name}(n_splits=N_SPLITS, n_repeats=N_REPEATS, random_state=SEED)"
        else:
            name = "StratifiedKFold" if stratified else "KFold"
            call = f"{name}(n_splits=N_SPLITS, shuffle={spec.shuffle!r}, random_state={state})"
        imports.add(ImportLine("sklearn.model_selection", name))
        labels = "codes[rest]" if stratified else "np.zeros(rest.size)"
        lines += [
            f"splitter = {call}",
            f"folds = [(rest[a], rest[b]) for a, b in splitter.split(rest, {labels})]",
        ]
    else:
        raise WorkbenchError(f"a script cannot write the '{spec.scheme}' split yet")
    if not any("codes[" in line for line in lines):
        lines = [line for line in lines if "codes" not in line and "Class codes" not in line]
    lines.append("# Sorted positions, as the workbench keeps them.")
    lines.append("folds = [(np.sort(a), np.sort(b)) for a, b in folds]")
    lines.append("return np.sort(test), folds")
    body = "\n".join("    " + line for line in lines if line)
    code = (
        "\n".join(constants)
        + "\n"
        + helpers
        + "\n\n"
        + (
            "def split_rows(frame: pd.DataFrame) -> tuple[np.ndarray, list]:\n"
            '    """The untouched test rows, and (training rows, validation rows) per fold."""\n'
            + body
        )
    )
    note = (
        f"{scheme.label}"
        + (f" with {spec.n_splits} folds" if scheme.count == "folds" else "")
        + (f" x {spec.n_repeats} repeats" if scheme.repeats else "")
        + (
            f", after setting {spec.test_fraction:.0%} of the rows aside as an untouched test set"
            if spec.test_fraction
            else ", no test set"
        )
        + ". Rows without a target value take no part. The seed makes the draw the run's."
    )
    return Stage("Split the rows", note, code.strip()), imports
