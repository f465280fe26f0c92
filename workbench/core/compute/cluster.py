"""Connecting the training process to Dask: a `distributed.Client` for a compute setting.

For `local:N` a LocalCluster of N single-threaded worker processes is started for the job and
closed with it (its workers also exit when the training process is killed: distributed's
worker processes watch their parent). For an address the client connects with a short
timeout, so an unreachable scheduler is a one-line WorkbenchError naming it, not a wait.

Imported by the training process only: distributed takes about a second to import.
"""

from __future__ import annotations

import contextlib
import logging
import socket
from collections.abc import Iterator
from typing import TYPE_CHECKING

from workbench.core.compute.setting import ComputeSetting
from workbench.core.errors import WorkbenchError

if TYPE_CHECKING:
    from distributed import Client, LocalCluster

# How long to try to reach a scheduler before saying it cannot be reached.
CONNECT_TIMEOUT_S = 5.0


def start_local_cluster(workers: int) -> LocalCluster:
    """A LocalCluster of `workers` single-threaded worker processes, quiet and on free ports
    only (no dashboard; the scheduler's HTTP endpoint on a free port, not 8787, which
    another cluster on this machine may hold)."""
    from distributed import LocalCluster

    try:
        return LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": ":0"},
            silence_logs=logging.ERROR,
        )
    except (OSError, RuntimeError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise WorkbenchError(
            f"cannot start a local Dask cluster of {workers} worker processes: {first}"
        ) from None


@contextlib.contextmanager
def dask_client(setting: ComputeSetting, timeout: float = CONNECT_TIMEOUT_S) -> Iterator[Client]:
    """A client on the setting's cluster, closed (with a LocalCluster it started) on exit."""
    from distributed import Client

    if setting.in_process:
        raise WorkbenchError("the compute setting 'local' trains in process; it has no cluster")
    with contextlib.ExitStack() as stack:
        if setting.workers is not None:
            cluster = start_local_cluster(setting.workers)
            stack.enter_context(cluster)
            client = Client(cluster, timeout=timeout, set_as_default=False)
        else:
            try:
                client = Client(setting.address, timeout=timeout, set_as_default=False)
            except (OSError, TimeoutError):
                # distributed retries a refused connection until the timeout: either way, the
                # same answer (its own text repeats the address and the timeout).
                raise _unreachable(setting.address, timeout) from None
        stack.enter_context(client)
        yield client


def check_reachable(setting: ComputeSetting, timeout: float = CONNECT_TIMEOUT_S) -> None:
    """Raise the one-line WorkbenchError when the setting's scheduler does not answer a TCP
    connection: the command line checks this before it says anything else, and it costs no
    Dask import. (The client still checks the scheduler itself when it connects.)"""
    if setting.address is None:
        return
    host, _, port = setting.address.removeprefix("tcp://").rpartition(":")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            pass
    except OSError:
        raise _unreachable(setting.address, timeout) from None


def _unreachable(address: str, timeout: float) -> WorkbenchError:
    return WorkbenchError(
        f"cannot reach the Dask scheduler at {address}: no answer within {timeout:g} s "
        "(is `dask scheduler` running there, and the port open?)"
    )
