"""Where training's folds and tuning trials run: the compute setting, declared and parsed here.

Three forms, written the same way in project.json, the Train panel and `--cluster`:
- `local`: in the training process itself, one fold after another (the default);
- `local:N`: on a Dask LocalCluster of N single-threaded worker processes started for the job
  (a try-out of the cluster path on one machine);
- `tcp://host:port` (or `host:port`): on the running Dask scheduler at that address.

This module imports no Dask: the window reads and shows the setting without loading it.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.core.errors import WorkbenchError

LOCAL = "local"
DEFAULT_SCHEDULER_PORT = 8786
FORMS = f"'{LOCAL}', 'local:N' (N worker processes) or a scheduler address 'tcp://host:8786'"


@dataclass(frozen=True)
class ComputeSetting:
    """One parsed compute setting. `workers` is set for a LocalCluster, `address` for a
    scheduler; neither for in-process training."""

    workers: int | None = None
    address: str | None = None

    @property
    def in_process(self) -> bool:
        """True when the folds run in the training process itself (no Dask)."""
        return self.workers is None and self.address is None

    @property
    def text(self) -> str:
        """The setting as the user writes it (project.json stores this)."""
        if self.address is not None:
            return self.address
        if self.workers is not None:
            return f"{LOCAL}:{self.workers}"
        return LOCAL

    def describe(self) -> str:
        """Where the work runs, in a sentence's words (the Train panel shows it)."""
        if self.address is not None:
            return f"on the Dask cluster at {self.address}"
        if self.workers is not None:
            plural = "es" if self.workers > 1 else ""
            return f"on a local Dask cluster of {self.workers} worker process{plural}"
        return "in the training process on this computer"


LOCAL_COMPUTE = ComputeSetting()


def parse_compute(text: str) -> ComputeSetting:
    """`local`, `local:N` or a scheduler address -> ComputeSetting; anything else is a
    WorkbenchError naming the value and the forms."""
    value = text.strip()

    def bad(why: str = "") -> WorkbenchError:
        return WorkbenchError(f"bad compute setting '{text}'{why}; use {FORMS}")

    if not value or value == LOCAL:
        return LOCAL_COMPUTE
    if value.startswith(f"{LOCAL}:"):
        count = value.partition(":")[2]
        if not count.isdigit() or int(count) < 1:
            raise bad(": the number of workers must be a whole number, 1 or more")
        return ComputeSetting(workers=int(count))
    scheme, separator, rest = value.partition("://")
    if not separator:
        scheme, rest = "tcp", value
        if ":" not in rest:  # a bare word is more likely a typo than a host name
            raise bad("")
    if scheme != "tcp":
        raise bad(f": only tcp:// scheduler addresses are supported, not {scheme}://")
    host, colon, port = rest.rpartition(":")
    if not colon:
        host, port = rest, str(DEFAULT_SCHEDULER_PORT)
    if not host or "/" in host or " " in host:
        raise bad(": the address needs a host name")
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise bad(": the port must be a number from 1 to 65535")
    return ComputeSetting(address=f"tcp://{host}:{int(port)}")
