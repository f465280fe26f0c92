"""Fold fits on a Dask cluster: the job's data scattered once, every batch submitted at once.

Why it works this way:
- The frame, labels and fit settings are scattered to every worker once per job
  (`broadcast=True`); each task then carries only its pipeline and row positions.
- A batch's tasks are submitted together, earliest first (Dask runs them in that order when
  workers are free), and read back in order, so the runner records folds and trials in the
  same order as in process and picks the same winner.
- A task never ships its fitted pipeline back: its training-row scores are computed on the
  worker (one more prediction pass) instead.
- Waiting polls the cancel token every POLL_S: a cancel cancels every future of the batch
  (and the job's scattered data when the job ends) and raises Cancelled.
- A worker that dies mid-fit: the scheduler runs its tasks again on another worker; after
  `distributed.scheduler.allowed-failures` deaths the task fails with KilledWorker, which fails
  that trial (or that run) with the reason, never a hung run. A lost scheduler fails the run.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from workbench.core.compute.folds import (
    FoldBatch,
    FoldData,
    FoldRunner,
    FoldTask,
    run_fold_task,
)
from workbench.core.errors import WorkbenchError
from workbench.core.progress import CancelToken
from workbench.core.train.fit import FoldResult

if TYPE_CHECKING:
    from distributed import Client, Future

# How often a wait for a result re-checks the cancel token and the connection.
POLL_S = 0.1


class DaskFolds(FoldRunner):
    """Fold fits on `client`'s cluster over `data`, scattered at construction."""

    in_turn = False  # submitted together, run side by side

    def __init__(self, client: Client, data: FoldData, cancel: CancelToken, where: str) -> None:
        self.client = client
        self.cancel = cancel
        self.where = where
        self.data = client.scatter(data, broadcast=True, hash=False)

    def start(self, tasks: Sequence[FoldTask], train_scores: bool) -> FoldBatch:
        # The fitted pipeline stays on the worker: its training scores come back instead.
        futures = [
            self.client.submit(run_fold_task, task, self.data, True, pure=False, retries=0)
            for task in tasks
        ]
        return _FutureBatch(self, tasks, futures)

    def close(self) -> None:
        """Let go of the scattered data (the client's closing would too)."""
        self.client.cancel([self.data], force=True)


class _FutureBatch(FoldBatch):
    def __init__(self, runner: DaskFolds, tasks: Sequence[FoldTask], futures: list[Future]) -> None:
        super().__init__(tasks)
        self.runner = runner
        self.futures = futures

    def result(self, index: int) -> FoldResult:
        from distributed import KilledWorker

        future = self.futures[index]
        # Waited on through a done-callback, not result(timeout=...): on a busy machine a
        # timed-out result() call can lose the race in distributed's sync() and raise
        # "UnboundLocalError: ... 'result'" (seen as a failed run in the suite under load).
        finished = threading.Event()
        future.add_done_callback(lambda _future: finished.set())
        while not finished.wait(POLL_S):
            self.runner.cancel.raise_if_cancelled()
            if self.runner.client.status in ("closing", "closed"):
                raise WorkbenchError("lost the connection to the Dask scheduler")
        self.runner.cancel.raise_if_cancelled()
        try:
            return future.result()
        except KilledWorker as error:
            first = str(error).strip().splitlines()[0] if str(error).strip() else ""
            raise WorkbenchError(f"the Dask workers running this fit died: {first}") from None

    def drop(self, indices: Iterable[int]) -> None:
        dropped = [self.futures[i] for i in indices if not self.futures[i].done()]
        if dropped:
            self.runner.client.cancel(dropped, force=True)

    def close(self) -> None:
        pending = [future for future in self.futures if not future.done()]
        if pending:
            self.runner.client.cancel(pending, force=True)
        self.futures = []
