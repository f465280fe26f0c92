"""The auto search's time budget: parsed from "300s" / "5m" / "1h", and a cancel token that
also fires when the budget runs out.

Why the budget is a cancel token: every fit already stops cooperatively between folds and
trials when its token says so (core.progress), so a trial that would overrun is cut at its
next fold, its run logged "cancelled" with the reason, and nothing else in training changes.
"""

from __future__ import annotations

import re
import time

from workbench.core.errors import WorkbenchError
from workbench.core.progress import Cancelled, CancelToken

BUDGET_PATTERN = re.compile(
    r"^\s*(\d+(?:\.\d+)?)\s*(s|secs?|seconds?|m|mins?|minutes?|h|hours?)?\s*$"
)
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600}
# Less than this is too short to cross-validate even one model on a small table.
MIN_BUDGET_SECONDS = 5.0
BUDGET_SPENT = "stopped: the time budget ran out"
TRIAL_CUT = "stopped: at its first folds' pace it would not have finished within the time budget"


def parse_budget(text: str) -> float:
    """Seconds in `text` ("300s", "300", "5m", "1.5m", "1h"); a WorkbenchError naming the text
    otherwise, or when it is under MIN_BUDGET_SECONDS."""
    found = BUDGET_PATTERN.match(str(text).lower())
    if not found:
        raise WorkbenchError(
            f"the time budget '{text}' is not a duration; write seconds or minutes, "
            "such as 300s or 5m"
        )
    unit = (found.group(2) or "s")[0]
    seconds = float(found.group(1)) * UNIT_SECONDS[unit]
    if seconds < MIN_BUDGET_SECONDS:
        raise WorkbenchError(
            f"the time budget '{text}' is too short; give at least {MIN_BUDGET_SECONDS:g}s"
        )
    return seconds


def format_budget(seconds: float) -> str:
    """ "300 s" or "5 min": how the summary names a budget."""
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"


class BudgetToken(CancelToken):
    """Cancelled when the user cancels `user`, when the clock reaches `deadline`
    (time.monotonic()), or when the search cuts the trial in progress (`trial_cut`: it would
    end past the deadline); `raise_if_cancelled` says which."""

    def __init__(self, user: CancelToken, deadline: float) -> None:
        super().__init__()
        self.user = user
        self.deadline = deadline
        self.trial_cut = False

    @property
    def cancelled(self) -> bool:
        return self.user.cancelled or self.spent or self.trial_cut

    @property
    def spent(self) -> bool:
        return time.monotonic() >= self.deadline

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def raise_if_cancelled(self) -> None:
        self.user.raise_if_cancelled()
        if self.spent:
            raise Cancelled(BUDGET_SPENT)
        if self.trial_cut:
            raise Cancelled(TRIAL_CUT)
