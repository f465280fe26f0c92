"""The script's split stage: the run's test rows and validation folds, drawn the same way.

The workbench sets the test rows aside first (before any search), then cuts the rest into
folds; every random choice takes the run's seed, and classes are stratified on their codes in
sorted label order. Each scheme is written as the few lines of scikit-learn or NumPy it runs,
so the reader sees exactly which rows were held out; only the scheme the run used is written.
"""

from __future__ import annotations

from workbench.core.errors import WorkbenchError
from workbench.core.export.script.bundle import NUMPY, PANDAS, ImportLine, SourceBundle
from workbench.core.export.script.sections import Stage
from workbench.core.kinds import TaskType
from workbench.core.schemes import split_schemes
from workbench.core.specs import SplitSpec


def _share(
    pool: str, fraction: str, count: str, shuffle: bool, stratify: str, imports: set[ImportLine]
) -> list[str]:
    """Lines setting `kept, drawn`: a share of the rows in `pool` drawn as the planner draws a
    test set or a hold-out (the last rows without shuffling, else a seeded, stratified draw)."""
    imports.add(ImportLine("math"))
    lines = [f"{count} = math.ceil({fraction} * {pool}.size)"]
    if not shuffle:
        cut = f"{pool}.size - {count}"
        return [*lines, f"kept, drawn = {pool}[:{cut}], {pool}[{cut}:]"]
    imports.add(ImportLine("sklearn.model_selection", "train_test_split"))
    return [
        *lines,
        "kept, drawn = train_test_split(",
        f"    {pool}, test_size={count}, random_state=SEED, stratify={stratify}",
        ")",
    ]


_GROUP_CODES = '''def group_codes(frame: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """The group of each of `rows` as a number, numbered in order of appearance among them
    (a missing group is a group of its own)."""
    return pd.factorize(frame[GROUP_COLUMN].iloc[rows], use_na_sentinel=False)[0]


'''

_TIME_ORDER = [
    "# Rows ordered by time (position breaks ties), and their times in that order.",
    "ordered = {rows}[np.lexsort(({rows}, times[{rows}]))]",
    "ordered_times = times[ordered]",
]


def split_stage(
    spec: SplitSpec, task: TaskType, bundle: SourceBundle
) -> tuple[Stage, set[ImportLine]]:
    """The `split_rows(frame)` function for the run's split, and the imports it needs; the
    workbench's own helpers it calls (hashing ids, reading and cutting times) go to `bundle`."""
    from workbench.core.train.splits import hash_bucket, snap_to_time_boundary, time_values

    scheme = split_schemes()[spec.scheme]
    classify = task != TaskType.REGRESSION
    imports = {NUMPY, PANDAS}
    constants = [f"TEST_FRACTION = {spec.test_fraction!r}"]
    lines = ["labelled = np.flatnonzero(frame[TARGET].notna().to_numpy())"]
    planner = scheme.planner
    fraction = spec.test_fraction
    # -- the test rows --------------------------------------------------------------------
    if fraction == 0:
        lines.append("test, rest = np.empty(0, dtype=np.int64), labelled")
    elif planner == "hash":
        constants.append(f"ID_COLUMN = {spec.id_column!r}")
        lines += [
            f"buckets = {bundle.add(hash_bucket)}(frame[ID_COLUMN])",
            "in_test = buckets[labelled] >= 1.0 - TEST_FRACTION",
            "test, rest = labelled[in_test], labelled[~in_test]",
        ]
    elif planner == "timeseries":
        constants.append(f"TIME_COLUMN = {spec.time_column!r}")
        lines += [
            f"times = {bundle.add(time_values)}(frame[TIME_COLUMN])",
            *(line.format(rows="labelled") for line in _TIME_ORDER),
            "# The latest rows are the test set.",
            f"cut = {bundle.add(snap_to_time_boundary)}(",
            "    ordered_times, ordered.size - math.ceil(TEST_FRACTION * ordered.size)",
            ")",
            "test, rest = ordered[cut:], ordered[:cut]",
        ]
        imports.add(ImportLine("math"))
    elif planner == "group_kfold":
        imports.add(ImportLine("sklearn.model_selection", "GroupShuffleSplit"))
        lines += [
            "# Whole groups go to the test set: no group is on both sides.",
            "splitter = GroupShuffleSplit(n_splits=1, test_size=TEST_FRACTION, random_state=SEED)",
            "groups = group_codes(frame, labelled)",
            "in_rest, in_test = next(splitter.split(labelled, groups=groups))",
            "test, rest = labelled[in_test], labelled[in_rest]",
        ]
    else:
        stratify = "codes[labelled]" if classify else "None"
        lines += _share("labelled", "TEST_FRACTION", "n_test", spec.shuffle, stratify, imports)
        lines.append("rest, test = kept, drawn")
    # -- the validation folds -------------------------------------------------------------
    if planner == "holdout":
        constants.append(f"VALIDATION_FRACTION = {spec.validation_fraction!r}")
        stratify = "codes[rest]" if classify else "None"
        lines += _share("rest", "VALIDATION_FRACTION", "n_valid", spec.shuffle, stratify, imports)
        lines.append("folds = [(kept, drawn)]")
    elif planner == "hash":
        share = spec.validation_fraction * (1.0 - spec.test_fraction)
        lines += [
            f"in_valid = buckets[rest] < {share!r}",
            "folds = [(rest[~in_valid], rest[in_valid])]",
        ]
        if fraction == 0:
            constants.append(f"ID_COLUMN = {spec.id_column!r}")
            lines.insert(-2, f"buckets = {bundle.add(hash_bucket)}(frame[ID_COLUMN])")
    elif planner == "timeseries":
        if fraction == 0:
            constants.append(f"TIME_COLUMN = {spec.time_column!r}")
            lines.append(f"times = {bundle.add(time_values)}(frame[TIME_COLUMN])")
        snap = bundle.add(snap_to_time_boundary)
        constants.append(f"N_SPLITS = {spec.n_splits!r}")
        lines += [
            *(line.format(rows="rest") for line in _TIME_ORDER),
            "# Each fold trains on the past and validates on the next block of time.",
            "size = ordered.size // (N_SPLITS + 1)",
            "starts = [",
            f"    {snap}(ordered_times, ordered.size - (N_SPLITS - i) * size)",
            "    for i in range(N_SPLITS)",
            "]",
            "ends = [*starts[1:], ordered.size]",
            "folds = [",
            "    (ordered[:start], ordered[start:end])",
            "    for start, end in zip(starts, ends, strict=True)",
            "]",
        ]
    elif planner == "group_kfold":
        constants += [f"GROUP_COLUMN = {spec.group_column!r}", f"N_SPLITS = {spec.n_splits!r}"]
        imports.add(ImportLine("sklearn.model_selection", "GroupKFold"))
        lines += [
            "splitter = GroupKFold(n_splits=N_SPLITS)",
            "in_folds = splitter.split(rest, groups=group_codes(frame, rest))",
            "folds = [(rest[a], rest[b]) for a, b in in_folds]",
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
    if any("codes[" in line for line in lines):
        lines[1:1] = [
            "# Class codes in sorted label order: what the workbench stratifies on.",
            "codes = pd.factorize(frame[TARGET], sort=True)[0]",
        ]
    lines.append("# Sorted positions, as the workbench keeps them.")
    lines.append("folds = [(np.sort(a), np.sort(b)) for a, b in folds]")
    lines.append("return np.sort(test), folds")
    body = "\n".join("    " + line for line in lines if line)
    helper = _GROUP_CODES if planner == "group_kfold" else ""
    code = (
        "\n".join(constants)
        + "\n\n\n"
        + helper
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
