"""`workbench train PROJECT --auto 300s`: the auto search from the command line.

The twin of the Train panel's "Find the best model": the same core.automl search and the same
summary (AutoResult.summary_lines), each run on stderr as it finishes, `--json` for scripts.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING

from workbench.cli.output import print_json
from workbench.core.errors import WorkbenchError
from workbench.core.specs import TrainSpec

if TYPE_CHECKING:
    from workbench.core.train.runner import TrainingInput

# Exit code when the search ran but no model finished (as `workbench train`).
EXIT_NOTHING_FINISHED = 1


def check_auto_arguments(args: argparse.Namespace) -> float:
    """The budget in seconds; a WorkbenchError for a bad budget or an option the search
    chooses itself (the models, the tuning)."""
    from workbench.core.automl.budget import parse_budget

    seconds = parse_budget(args.auto)
    if args.model:
        raise WorkbenchError("--auto chooses the models itself; drop --model")
    if args.tune != "none":
        raise WorkbenchError("--auto tunes the models itself; drop --tune")
    return seconds


def run_auto_command(
    args: argparse.Namespace, inputs: TrainingInput, spec: TrainSpec, seconds: float
) -> int:
    """Search, say each run as it ends on stderr, then print the summary (or JSON)."""
    from workbench.core.automl.result import score_of
    from workbench.core.automl.search import AutoSpec, run_auto
    from workbench.core.train.events import CandidateResult

    started = time.monotonic()

    def said(event: object) -> None:
        if not isinstance(event, CandidateResult):
            return
        score = score_of(event, event.metric)
        shown = f", {event.metric} {score:.4f}" if score == score else ""
        print(
            f"workbench: {time.monotonic() - started:5.0f} s  run {event.run_id} "
            f"{event.label}: {event.status}{shown}",
            file=sys.stderr,
        )

    result = run_auto(inputs, spec, AutoSpec(seconds), on_partial=said)
    if args.json:
        print_json(result.to_dict())
    else:
        print("\n".join(result.summary_lines()))
    if result.winner is None:
        print("workbench: no model finished in the auto search", file=sys.stderr)
        return EXIT_NOTHING_FINISHED
    return 0
