"""Profile a table: per-column statistics, histograms, correlations, target checks and alerts.

Exact where it is cheap, sampled where it is costly. Counts (missing, distinct, top values,
zeros, sentinels, duplicate rows) are exact over every row: they come from one hash
factorisation per column, whose codes are also folded into a row key for the duplicate count, so
no column is hashed twice and no per-row Python runs. Correlations, associations with the target
and the leakage check use at most `sample_rows` rows (a seeded random sample); `Profile.sampled`
says which parts did and on how many rows.

Target leakage rule (calibrated on titanic `alive` and bank `duration`, see ProfileOptions): each
usable column gets a cross-validated single-column score: the column is cut into bins (numbers:
quantile bins; categories: themselves; missing: a bin of its own), each bin predicts the target's
smoothed class mix or mean from the training folds, and the held-out predictions are scored by
ROC AUC (classes, macro one-vs-rest) or R² (numbers). The score is turned into a lift: 0 for the
baseline (the prior), 1 for perfect (2*AUC-1, or R²). A lift near 1 is critical; a column whose
lift is high AND well above every other column's is a warning. Ordinary strong features (titanic
`sex`, bank `nr.employed`) have peers that carry the same signal, so they never stand alone.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from workbench.core.errors import WorkbenchError
from workbench.core.kinds import ColumnKind, TaskType, infer_kind, task_for_column
from workbench.core.profile import alerts as rules
from workbench.core.profile.grouped_rows import grouped_row_alerts
from workbench.core.profile.model import QUANTILES, Alert, ColumnProfile, Profile, ProfileOptions
from workbench.core.profile.shifted_rows import shifted_row_alerts
from workbench.core.progress import NEVER_CANCELLED, CancelToken, ProgressFn, no_progress

DEFAULT_OPTIONS = ProfileOptions()


# --- small conversions: everything stored in a profile is plain JSON ---------------------------


def _finite(value: float | np.floating | None) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _plain(value: Any) -> Any:
    """A value as JSON can hold it (top values, categories)."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else str(value)
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        return pd.Timestamp(value).isoformat()
    if isinstance(value, str):
        return value
    return str(value)


# --- per column ---------------------------------------------------------------------------------


@dataclass
class _ColumnWork:
    """What the table-level phases need from a column, taken while it is in hand."""

    profile: ColumnProfile
    counts: pd.Series  # exact value counts, values as index
    sample_codes: np.ndarray | None = None  # category codes on the sample rows (-1 missing)
    sample_values: np.ndarray | None = None  # float values on the sample rows (NaN missing)


def _factorize(series: pd.Series) -> tuple[np.ndarray, Any]:
    try:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
    except TypeError:  # unhashable cells (lists, dicts) from JSON
        codes, uniques = pd.factorize(series.astype(str).where(series.notna()))
    return np.asarray(codes), uniques


def _as_float(series: pd.Series) -> np.ndarray:
    if ptypes.is_bool_dtype(series.dtype) or ptypes.is_numeric_dtype(series.dtype):
        return series.to_numpy(dtype="float64", na_value=np.nan)
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _datetime_values(series: pd.Series) -> np.ndarray:
    if not ptypes.is_datetime64_any_dtype(series.dtype):
        series = pd.to_datetime(series, errors="coerce")
    if getattr(series.dt, "tz", None) is not None:
        series = series.dt.tz_convert("UTC").dt.tz_localize(None)
    return series.to_numpy()


def _skew(values: np.ndarray, mean: float) -> float | None:
    """Adjusted Fisher-Pearson skewness (the one pandas reports)."""
    n = values.size
    if n < 3:
        return None
    centred = values - mean
    squares = centred * centred  # products, not **: float powers are ~10x slower
    m2 = float(squares.sum()) / n
    if m2 <= 0:
        return None
    m3 = float(np.dot(squares, centred)) / n
    return _finite(m3 / m2**1.5 * math.sqrt(n * (n - 1)) / (n - 2))


def _numeric_stats(values: np.ndarray, bins: int) -> dict[str, Any]:
    finite_mask = np.isfinite(values)
    finite = values[finite_mask] if not finite_mask.all() else values
    stats: dict[str, Any] = {
        "zeros": int(np.count_nonzero(values == 0)),
        "infinities": int(np.count_nonzero(np.isinf(values))),
    }
    if finite.size == 0:
        return stats
    mean = float(finite.mean())
    quantiles = np.quantile(finite, list(QUANTILES.values()))
    lowest, highest = float(finite.min()), float(finite.max())
    counts, edges = np.histogram(finite, bins=bins if highest > lowest else 1)
    stats |= {
        "min": lowest,
        "max": highest,
        "mean": _finite(mean),
        "std": _finite(finite.std(ddof=1)) if finite.size > 1 else None,
        "quantiles": {k: _finite(q) for k, q in zip(QUANTILES, quantiles, strict=True)},
        "skew": _skew(finite, mean),
        "histogram": {"edges": [float(e) for e in edges], "counts": [int(c) for c in counts]},
    }
    return stats


def _datetime_stats(stamps: np.ndarray, bins: int) -> dict[str, Any]:
    present = stamps[~np.isnat(stamps)]
    if present.size == 0:
        return {}
    ticks = present.view("int64")
    lowest, highest = int(ticks.min()), int(ticks.max())
    counts, edges = np.histogram(ticks, bins=bins if highest > lowest else 1)

    def iso(tick: float) -> str:
        return pd.Timestamp(np.int64(round(tick)).astype(present.dtype)).isoformat()

    return {
        "min": iso(lowest),
        "max": iso(highest),
        "histogram": {"edges": [iso(e) for e in edges], "counts": [int(c) for c in counts]},
    }


def _profile_column(
    series: pd.Series,
    name: str,
    kind: ColumnKind,
    options: ProfileOptions,
    sample: np.ndarray | None,
) -> tuple[_ColumnWork, np.ndarray, int]:
    """One column's profile and work, plus its factorised codes and distinct count (for
    the duplicate-row key)."""
    rows = len(series)
    codes, uniques = _factorize(series)
    present = codes >= 0
    missing = int(rows - np.count_nonzero(present))
    counts_array = np.bincount(codes[present], minlength=len(uniques))
    counts = pd.Series(counts_array, index=pd.Index(uniques), copy=False)
    order = np.argsort(-counts_array, kind="stable")
    top = tuple((_plain(uniques[i]), int(counts_array[i])) for i in order[: options.top_values])
    fields: dict[str, Any] = {}
    sample_values = None
    sample_codes = codes[sample] if sample is not None else codes
    if kind == ColumnKind.NUMERIC:
        values = _as_float(series)
        fields = _numeric_stats(values, options.histogram_bins)
        sample_values = values[sample] if sample is not None else values
    elif kind == ColumnKind.DATETIME:
        stamps = _datetime_values(series)
        fields = _datetime_stats(stamps, options.histogram_bins)
        ticks = stamps.view("int64").astype("float64")
        ticks[np.isnat(stamps)] = np.nan
        sample_values = ticks[sample] if sample is not None else ticks
    elif kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN):
        shown = order[: options.histogram_bins]
        fields["histogram"] = {
            "categories": [_plain(uniques[i]) for i in shown],
            "counts": [int(counts_array[i]) for i in shown],
            "other": int(counts_array.sum() - counts_array[shown].sum()),
        }
        if kind == ColumnKind.BOOLEAN:
            values = _as_float(series)
            fields["mean"] = _finite(np.nanmean(values)) if rows > missing else None
            sample_values = values[sample] if sample is not None else values
    elif kind == ColumnKind.TEXT:
        lengths = series.dropna().astype(str).str.len().to_numpy(dtype="float64")
        if lengths.size:
            fields["text_length"] = {
                "min": float(lengths.min()),
                "mean": float(lengths.mean()),
                "max": float(lengths.max()),
            }
    profile = ColumnProfile(
        name=name,
        kind=kind,
        dtype=str(series.dtype),
        count=rows - missing,
        missing=missing,
        missing_fraction=missing / rows if rows else 0.0,
        distinct=len(uniques),
        top_values=top,
        **fields,
    )
    work = _ColumnWork(profile, counts, sample_codes, sample_values)
    return work, codes, len(uniques)


class _RowKey:
    """Folds every column's codes into one integer per row, for an exact duplicate count."""

    _LIMIT = 2**62

    def __init__(self, rows: int) -> None:
        self.key = np.zeros(rows, dtype=np.int64)
        self.cardinality = 1

    def add(self, codes: np.ndarray, distinct: int) -> None:
        width = distinct + 1  # +1: missing is a value of its own (NaN equals NaN, as in pandas)
        if self.cardinality * width >= self._LIMIT:
            compact, uniques = pd.factorize(self.key)
            self.key, self.cardinality = compact.astype(np.int64), len(uniques)
        self.key *= width
        self.key += codes
        self.key += 1
        self.cardinality *= width

    def duplicates(self) -> int:
        if self.key.size == 0:
            return 0
        return int(self.key.size - len(pd.unique(self.key)))


# --- table-level phases -------------------------------------------------------------------------


def _correlations(
    works: Mapping[str, _ColumnWork], limit: int, sampled: dict[str, Any]
) -> dict[str, Any]:
    names = [
        n
        for n, w in works.items()
        if w.profile.kind in (ColumnKind.NUMERIC, ColumnKind.BOOLEAN)
        and w.sample_values is not None
        and w.profile.distinct > 1
    ]
    if len(names) > limit:
        sampled["correlation_columns"] = {"columns": limit, "of": len(names)}
        names = names[:limit]
    if len(names) < 2:
        return {}
    matrix = np.column_stack([works[n].sample_values for n in names])
    matrix[~np.isfinite(matrix)] = np.nan
    table = pd.DataFrame(matrix, columns=range(len(names)), copy=False)
    pearson = table.corr(method="pearson").to_numpy()
    spearman = table.rank().corr(method="pearson").to_numpy()

    def block(values: np.ndarray) -> dict[str, Any]:
        return {"columns": names, "matrix": [[_finite(v) for v in row] for row in values]}

    return {"pearson": block(pearson), "spearman": block(spearman)}


def _entropy(counts: np.ndarray) -> float:
    present = counts[counts > 0].astype("float64")
    shares = present / present.sum()
    return float(-(shares * np.log(shares)).sum())


def _near_copy(
    first: str,
    second: str,
    u_second: float | None,
    u_first: float | None,
    levels: Mapping[str, int],
    rows: int,
    options: ProfileOptions,
) -> rules.NearCopy | None:
    """The pair as a near-copy if one column determines the other: U(B|A) at the threshold,
    and A has enough rows per value for that to mean something (a value seen once determines
    anything)."""

    def determines(u: float | None, by: str) -> bool:
        enough = rows >= options.association_min_rows_per_level * levels[by]
        return u is not None and enough and u >= options.association_threshold

    forward, backward = determines(u_second, first), determines(u_first, second)
    if forward and backward:
        value = min(float(u_second or 0.0), float(u_first or 0.0))
        return rules.NearCopy(first, second, value, "theils_u")
    if forward:
        return rules.NearCopy(first, second, float(u_second or 0.0), "theils_u", False)
    if backward:
        return rules.NearCopy(second, first, float(u_first or 0.0), "theils_u", False)
    return None


def _associations(
    works: Mapping[str, _ColumnWork],
    target: str | None,
    options: ProfileOptions,
    sampled: dict[str, Any],
) -> tuple[dict[str, Any], list[rules.NearCopy]]:
    """Theil's U between columns of few values (one of each pair text), on the sample rows.

    matrix[i][j] = U(column j | column i): the share of column j's uncertainty (entropy) that
    knowing column i removes; 1 when column i determines column j. Missing is a value of its
    own. Pairs of two numeric or boolean columns are left to Pearson (None here). One bincount
    of the pair's joint codes per pair, so the cost is pairs x sample rows.
    """
    names = [
        name
        for name, work in works.items()
        if name != target
        and work.sample_codes is not None
        and work.profile.kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN, ColumnKind.NUMERIC)
        and 2 <= work.profile.distinct <= options.association_max_levels
    ]
    if not any(works[name].profile.kind == ColumnKind.CATEGORICAL for name in names):
        return {}, []
    if len(names) > options.max_association_columns:
        sampled["association_columns"] = {
            "columns": options.max_association_columns,
            "of": len(names),
        }
        names = names[: options.max_association_columns]
    codes, levels, entropies = {}, {}, {}
    for name in names:
        sample_codes = works[name].sample_codes
        assert sample_codes is not None
        codes[name] = sample_codes.astype(np.int64) + 1  # 0: missing
        levels[name] = works[name].profile.distinct + 1
        entropies[name] = _entropy(np.bincount(codes[name], minlength=levels[name]))
    rows = len(codes[names[0]])
    size = len(names)
    matrix: list[list[float | None]] = [[None] * size for _ in range(size)]
    pairs: list[rules.NearCopy] = []
    for i, first in enumerate(names):
        matrix[i][i] = 1.0
        for j in range(i + 1, size):
            second = names[j]
            kinds = (works[first].profile.kind, works[second].profile.kind)
            if ColumnKind.CATEGORICAL not in kinds:
                continue
            joint = np.bincount(
                codes[first] * levels[second] + codes[second],
                minlength=levels[first] * levels[second],
            )
            mutual = max(entropies[first] + entropies[second] - _entropy(joint), 0.0)
            u_second = mutual / entropies[second] if entropies[second] > 0 else None
            u_first = mutual / entropies[first] if entropies[first] > 0 else None
            matrix[i][j], matrix[j][i] = _finite(u_second), _finite(u_first)
            pair = _near_copy(first, second, u_second, u_first, levels, rows, options)
            if pair is not None:
                pairs.append(pair)
    return {"columns": names, "matrix": matrix}, pairs


def _class_codes(work: _ColumnWork) -> tuple[np.ndarray, int]:
    codes = work.sample_codes if work.sample_codes is not None else np.empty(0, dtype=np.int64)
    return codes, work.profile.distinct


def _cramers_v(feature: np.ndarray, levels: int, target: np.ndarray, classes: int) -> float:
    table = np.bincount(feature * classes + target, minlength=levels * classes)
    table = table.reshape(levels, classes).astype("float64")
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    n = table.sum()
    rows, cols = table.shape
    if n == 0 or min(rows, cols) < 2:
        return 0.0
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / n
    chi2 = float(((table - expected) ** 2 / expected).sum())
    return math.sqrt(chi2 / (n * (min(rows, cols) - 1)))


def _correlation_ratio(groups: np.ndarray, values: np.ndarray) -> float | None:
    """eta: share of the numbers' spread explained by the groups (sqrt of SSB/SST)."""
    keep = np.isfinite(values)
    groups, values = groups[keep], values[keep]
    if values.size < 2:
        return None
    total = float(((values - values.mean()) ** 2).sum())
    if total <= 0:
        return None
    sums = np.bincount(groups, weights=values)
    sizes = np.bincount(groups)
    used = sizes > 0
    between = float((sums[used] ** 2 / sizes[used]).sum() - values.sum() ** 2 / values.size)
    return math.sqrt(min(max(between / total, 0.0), 1.0))


def _feature_bins(work: _ColumnWork, bins: int) -> np.ndarray | None:
    """Codes 0..k (0 = missing) for the single-column model, or None if unusable."""
    kind = work.profile.kind
    if kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN) and work.sample_codes is not None:
        return work.sample_codes.astype(np.int64) + 1
    if kind in (ColumnKind.NUMERIC, ColumnKind.DATETIME) and work.sample_values is not None:
        values = work.sample_values
        finite = np.isfinite(values)
        if not finite.any():
            return None
        if work.profile.distinct <= bins:
            codes, _ = pd.factorize(values, use_na_sentinel=True)
            codes = np.asarray(codes, dtype=np.int64)
            codes[~finite] = -1
            return codes + 1
        cuts = np.unique(np.quantile(values[finite], np.linspace(0, 1, bins + 1)[1:-1]))
        codes = np.searchsorted(cuts, values, side="right").astype(np.int64) + 1
        codes[~finite] = 0
        return codes
    return None


def _auc(scores: np.ndarray, positive: np.ndarray) -> float:
    """ROC AUC (ties count half), without scikit-learn and without sorting every row: the
    single-column model gives few distinct scores, so rows are grouped by score first."""
    n_pos = int(positive.sum())
    n_neg = positive.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return 0.5
    groups, levels = pd.factorize(scores)
    order = np.argsort(np.asarray(levels), kind="stable")
    pos = np.bincount(groups, weights=positive, minlength=len(levels))[order]
    neg = np.bincount(groups, minlength=len(levels))[order] - pos
    below = np.cumsum(neg) - neg
    return float((pos * (below + 0.5 * neg)).sum() / (n_pos * n_neg))


def _single_column_score(
    codes: np.ndarray,
    target: np.ndarray,
    classes: int,
    folds: np.ndarray,
    n_folds: int,
) -> dict[str, Any]:
    """Cross-validated score of 'this bin predicts its training rows' target mix / mean'.

    One bincount per column gives every fold's (bin, class) table; a fold's training table is
    the total minus its own, so no row is visited once per fold.
    """
    width = int(codes.max()) + 1
    cell = folds * width + codes
    if classes:
        per_fold = np.bincount(cell * classes + target, minlength=n_folds * width * classes)
        per_fold = per_fold.reshape(n_folds, width, classes).astype("float64")
        train = per_fold.sum(axis=0, keepdims=True) - per_fold
        prior = train.sum(axis=1) / np.maximum(train.sum(axis=(1, 2)), 1.0)[:, None]
        # One pseudo-row of the prior per bin: unseen and tiny bins fall back to the prior.
        smoothed = (train + prior[:, None, :]) / (train.sum(axis=2, keepdims=True) + 1.0)
        if classes == 2:
            auc = _auc(smoothed[folds, codes, 1], target == 1)
        else:
            probabilities = smoothed[folds, codes]
            auc = float(np.mean([_auc(probabilities[:, k], target == k) for k in range(classes)]))
        return {"measure": "roc_auc", "score": auc, "lift": max(0.0, 2 * auc - 1)}
    sums = np.bincount(cell, weights=target, minlength=n_folds * width).reshape(n_folds, width)
    sizes = np.bincount(cell, minlength=n_folds * width).reshape(n_folds, width)
    train_sums = sums.sum(axis=0) - sums
    train_sizes = sizes.sum(axis=0) - sizes
    means = train_sums.sum(axis=1) / np.maximum(train_sizes.sum(axis=1), 1)
    predictions = ((train_sums + means[:, None]) / (train_sizes + 1.0))[folds, codes]
    total = float(((target - target.mean()) ** 2).sum())
    r2 = 1.0 - float(((target - predictions) ** 2).sum()) / total if total > 0 else 0.0
    return {"measure": "r2", "score": r2, "lift": max(0.0, r2)}


def _target_phase(
    works: Mapping[str, _ColumnWork],
    target: str,
    task: TaskType,
    options: ProfileOptions,
    cancel: CancelToken,
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """Associations with the target and single-column leakage scores, on the sample rows."""
    target_work = works[target]
    if task == TaskType.REGRESSION:
        target_values = target_work.sample_values
        assert target_values is not None
        keep = np.isfinite(target_values)
        y_values, y_classes, classes = target_values[keep], np.empty(0, dtype=np.int64), 0
    else:
        codes, _ = _class_codes(target_work)
        keep = codes >= 0
        # Re-code the present classes densely so every class index has rows.
        y_classes = np.unique(codes[keep], return_inverse=True)[1].astype(np.int64)
        classes = int(y_classes.max()) + 1 if y_classes.size else 0
        y_values = np.empty(0)
    n = int(keep.sum())
    if n < options.leakage_folds * 2:
        return {}, {}
    folds = np.random.default_rng(options.seed).permutation(n) % options.leakage_folds
    associations: dict[str, dict[str, Any]] = {}
    scores: dict[str, dict[str, Any]] = {}
    for name, work in works.items():
        cancel.raise_if_cancelled()
        kind = work.profile.kind
        if name == target or kind in (ColumnKind.IDENTIFIER, ColumnKind.TEXT):
            continue
        if work.profile.distinct < 2:
            continue
        value: float | None = None
        measure = ""
        is_numeric = kind == ColumnKind.NUMERIC
        if is_numeric:
            assert work.sample_values is not None
            x = work.sample_values[keep]
            if task == TaskType.REGRESSION:
                both = np.isfinite(x)
                if both.sum() > 2 and np.std(x[both]) > 0:
                    measure = "pearson"
                    value = _finite(np.corrcoef(x[both], y_values[both])[0, 1])
            else:
                measure, value = "correlation_ratio", _correlation_ratio(y_classes, x)
        elif kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN):
            codes, levels = _class_codes(work)
            f = codes[keep].astype(np.int64) + 1
            if task == TaskType.REGRESSION:
                measure, value = "correlation_ratio", _correlation_ratio(f, y_values)
            else:
                measure = "cramers_v"
                value = _cramers_v(f, levels + 1, y_classes, classes)
        if measure and value is not None:
            associations[name] = {"measure": measure, "value": value}
        bins = _feature_bins(work, options.leakage_bins)
        if bins is not None:
            y = y_classes if classes else y_values
            scores[name] = _single_column_score(
                bins[keep], y, classes, folds, options.leakage_folds
            )
    ordered = dict(sorted(associations.items(), key=lambda item: -abs(item[1]["value"])))
    return ordered, scores


def _resolve_kinds(
    frame: pd.DataFrame, kinds: Mapping[str, ColumnKind] | None
) -> dict[str, ColumnKind]:
    given = dict(kinds) if kinds is not None else {}
    return {
        str(name): ColumnKind(given[name]) if name in given else infer_kind(frame[name])
        for name in frame.columns
    }


def profile_frame(
    frame: pd.DataFrame,
    target: str | None = None,
    kinds: Mapping[str, ColumnKind] | None = None,
    options: ProfileOptions = DEFAULT_OPTIONS,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
    on_column: Callable[[ColumnProfile], None] | None = None,
) -> Profile:
    """Profile `frame`; with a `target`, also associations, imbalance and leakage checks.

    `on_column` receives each column's profile as soon as it is done (a big table shows its
    first columns while the rest are computed); `cancel` is honoured between columns and phases.
    """
    started = time.perf_counter()
    if frame.columns.has_duplicates:
        repeated = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
        raise WorkbenchError(f"column names must be unique; repeated: {', '.join(repeated)}")
    if target is not None and target not in frame.columns:
        raise WorkbenchError(f"target column '{target}' is not in the table")
    rows = len(frame)
    progress(0.0, "Working out column kinds")
    resolved = _resolve_kinds(frame, kinds)
    task = task_for_column(frame[target], resolved[target]).task if target is not None else None
    cancel.raise_if_cancelled()

    sample: np.ndarray | None = None
    sampled: dict[str, Any] = {}
    if rows > options.sample_rows:
        rng = np.random.default_rng(options.seed)
        sample = np.sort(rng.choice(rows, size=options.sample_rows, replace=False))
        part = {"rows": int(options.sample_rows), "of": rows}
        sampled = {"correlations": part}
        if target is not None:
            sampled |= {"associations": part, "target_leakage": part}

    works: dict[str, _ColumnWork] = {}
    row_key = _RowKey(rows)
    column_alerts: list[Alert] = []
    names = [str(c) for c in frame.columns]
    for position, (name, original) in enumerate(zip(names, frame.columns, strict=True)):
        cancel.raise_if_cancelled()
        progress(0.05 + 0.7 * position / max(len(names), 1), f"Profiling '{name}'")
        work, codes, distinct = _profile_column(
            frame[original], name, resolved[name], options, sample
        )
        row_key.add(codes, distinct)
        del codes
        works[name] = work
        column_alerts += rules.column_alerts(work.profile, work.counts, options)
        if on_column is not None:
            on_column(work.profile)

    cancel.raise_if_cancelled()
    progress(0.75, "Counting duplicate rows")
    duplicates = row_key.duplicates() if names else 0
    del row_key
    cancel.raise_if_cancelled()
    progress(0.8, "Correlations")
    correlations = _correlations(works, options.max_correlation_columns, sampled)
    cancel.raise_if_cancelled()

    associations: dict[str, dict[str, Any]] = {}
    scores: dict[str, dict[str, Any]] = {}
    table_alerts = rules.duplicate_alert(duplicates, rows)
    progress(0.82, "Looking for shifted rows")
    counts = {name: works[name].counts for name in names}
    table_alerts += shifted_row_alerts(frame, counts)
    table_alerts += grouped_row_alerts(frame, resolved, target, counts)
    near_copies: list[rules.NearCopy] = []
    if "pearson" in correlations:
        pearson = correlations["pearson"]
        near_copies += rules.pearson_near_copies(
            pearson["columns"], pearson["matrix"], options, target
        )
    progress(0.84, "Associations between categories")
    theils_u, categorical_copies = _associations(works, target, options, sampled)
    if theils_u:
        correlations["theils_u"] = theils_u
    table_alerts += rules.near_copy_alerts(near_copies + categorical_copies, options)
    cancel.raise_if_cancelled()
    if target is not None and task is not None:
        progress(0.87, f"Checking columns against '{target}'")
        associations, scores = _target_phase(works, target, task, options, cancel)
        table_alerts += rules.imbalance_alert(target, task, works[target].counts, options)
        table_alerts += rules.leakage_alerts(target, scores, options)
    cancel.raise_if_cancelled()
    progress(0.98, "Collecting alerts")
    severity_rank = {rules.CRITICAL: 0, rules.WARNING: 1, rules.INFO: 2}
    alerts = sorted(table_alerts + column_alerts, key=lambda a: severity_rank[a.severity])
    profiles = tuple(work.profile for work in works.values())
    result = Profile(
        rows=rows,
        columns=len(names),
        memory_bytes=int(frame.memory_usage(deep=True, index=False).sum()),
        duplicate_rows=duplicates,
        missing_cells=sum(p.missing for p in profiles),
        column_profiles=profiles,
        correlations=correlations,
        associations=associations,
        target=target,
        task=task,
        alerts=tuple(alerts),
        sampled=sampled,
        elapsed_seconds=round(time.perf_counter() - started, 3),
        single_column_scores=scores,
    )
    progress(1.0, f"Profiled {rows:,} rows x {len(names)} columns")
    return result
