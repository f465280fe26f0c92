"""The fold runner a training job uses, chosen from its compute setting.

`local` fits in the training process (no Dask imported); `local:N` and a scheduler address
connect a Dask client (compute.cluster), scatter the job's data and run the fits there, the
client and a LocalCluster it started closed when the job ends, however it ends.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from workbench.core.compute.folds import FoldData, FoldRunner, InProcessFolds
from workbench.core.compute.setting import ComputeSetting
from workbench.core.progress import CancelToken


@contextlib.contextmanager
def fold_runner(
    setting: ComputeSetting, data: FoldData, cancel: CancelToken
) -> Iterator[FoldRunner]:
    """Where this job's fold fits run, for the length of the block."""
    if setting.in_process:
        yield InProcessFolds(data)
        return
    from workbench.core.compute.cluster import dask_client
    from workbench.core.compute.dask_folds import DaskFolds

    with dask_client(setting) as client:
        runner = DaskFolds(client, data, cancel, f" {setting.describe()}")
        try:
            yield runner
        finally:
            runner.close()
