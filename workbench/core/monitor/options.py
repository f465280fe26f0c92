"""The monitor's settings, declared once: how a reference summarises the training rows, and the
thresholds a batch is judged by.

Two frozen dataclasses because they live in different places: `ReferenceOptions` shape what is
stored with a run (bins, points, listed categories) and cannot change afterwards;
`DriftOptions` are the thresholds of one check, chosen when the check runs and written into
its report, so a report says by which rule it flagged what it flagged.

The drift rule, and why it has two parts: a column has drifted when its test is significant
AND the change is large enough to matter. Significance alone flags everything on big batches:
with a million rows a KS test finds a difference of 0.002 in the distribution function
"significant", so every column of every real batch would drift. Effect size alone flags noise
on small batches: PSI over ten bins of fifty rows is large by chance. Significance is judged
at `alpha` divided by the number of tests in the report (Bonferroni): with thirty columns at
0.05 each, one column in five reports would drift by chance alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from workbench.core import json_fields
from workbench.core.errors import WorkbenchError


@dataclass(frozen=True)
class ReferenceOptions:
    """How a run's reference summarises its training rows.

    - `bins` (10): quantile bins per numeric column for PSI: deciles, the usual PSI binning;
      a value shared by many rows (a column of mostly zeros) makes fewer, wider bins.
    - `points` (2000): quantiles kept per numeric column for the KS test (every value when
      there are fewer). The KS statistic against them is within 1/points of the one against
      every training row, far below the distance threshold, and the reference stays small
      enough to store with the run and ship in the Docker service.
    - `max_categories` (50): categories listed per column, the most frequent first; the rest
      are pooled as one "other" cell, so a near-unique column does not make a table of
      thousands of near-empty cells.
    """

    bins: int = 10
    points: int = 2000
    max_categories: int = 50

    def __post_init__(self) -> None:
        _check_whole(self, "bins", 2)
        _check_whole(self, "points", 10)
        _check_whole(self, "max_categories", 1)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], path: str = "options") -> ReferenceOptions:
        return cls(**_read(cls, data, path))


@dataclass(frozen=True)
class DriftOptions:
    """The thresholds a batch is judged by (see the module docstring for the rule).

    - `alpha` (0.05): the chance of flagging at least one column of an unchanged batch, split
      evenly over the report's tests (Bonferroni).
    - `psi_threshold` (0.2): PSI at or above which a change matters; the usual reading of PSI
      is below 0.1 stable, 0.1 to 0.25 a moderate shift, above 0.25 a major one.
    - `distance_threshold` (0.1): the KS statistic D for numbers, the total variation distance
      for categories, at or above which a change matters: some range of values (or set of
      categories) gained or lost ten percentage points of the rows.
    - `psi_floor` (0.0001): each share in PSI is raised to at least this, so a bin empty on one
      side counts as rare rather than impossible (an infinite PSI).
    - `missing_rise` (0.1): validation flags a column whose missing share rose by at least ten
      percentage points over training's (drift tests look at the values present).
    - `interval_level` (0.95): the level of the interval around the validation folds' mean
      within which a labelled batch's score is expected.
    - `examples` (5): example rows kept per validation problem.
    """

    alpha: float = 0.05
    psi_threshold: float = 0.2
    distance_threshold: float = 0.1
    psi_floor: float = 1e-4
    missing_rise: float = 0.1
    interval_level: float = 0.95
    examples: int = 5

    def __post_init__(self) -> None:
        for name in ("alpha", "distance_threshold", "psi_floor", "missing_rise", "interval_level"):
            value = getattr(self, name)
            if not 0.0 < value < 1.0:
                raise WorkbenchError(f"'{name}' should be between 0 and 1, not {value!r}")
        if not self.psi_threshold > 0.0:
            raise WorkbenchError(f"'psi_threshold' should be above 0, not {self.psi_threshold!r}")
        _check_whole(self, "examples", 0)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], path: str = "options") -> DriftOptions:
        return cls(**_read(cls, data, path))


def _check_whole(options: Any, name: str, lowest: int) -> None:
    value = getattr(options, name)
    if isinstance(value, bool) or not isinstance(value, int) or value < lowest:
        raise WorkbenchError(
            f"'{name}' should be a whole number of at least {lowest}, not {value!r}"
        )


def _read(cls: type, data: Mapping[str, Any], path: str) -> dict[str, Any]:
    """The fields of `cls` from JSON, each checked for its type; absent ones keep the default."""
    data = json_fields.mapping(data, path)
    known = {item.name: item for item in fields(cls)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise WorkbenchError(f"'{path}' has no setting '{unknown[0]}'; known: {', '.join(known)}")
    values = {}
    for name, item in known.items():
        if name in data:
            if isinstance(item.default, int):
                values[name] = json_fields.field(data, name, int, path)
            else:
                values[name] = float(json_fields.field(data, name, float, path))
    return values
