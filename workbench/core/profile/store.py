"""Profile a project's dataset and keep the result beside it.

Profiling a big table takes seconds; reopening a project should show its profile at once. The
profile is stored as JSON next to the Parquet, keyed by the data's sha256 and the target, so a
re-import or a new target is profiled afresh and a stale profile is never shown.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from workbench.core.atomic import write_json_atomic
from workbench.core.dataset import DatasetRef, dataset_file, load_dataset_frame
from workbench.core.errors import WorkbenchError
from workbench.core.profile.compute import profile_frame
from workbench.core.profile.model import Profile
from workbench.core.progress import NEVER_CANCELLED, CancelToken, ProgressFn, no_progress

# Bumped when the profile's rules change, so a profile stored by older rules is made again
# rather than shown (2: sentinels need evidence, identifiers by values and names, Theil's U;
# 3: shifted rows and grouped rows).
STORE_VERSION = 3


def profile_path(project_root: Path, dataset: DatasetRef) -> Path:
    return dataset_file(project_root, dataset).with_suffix(".profile.json")


def load_stored_profile(
    project_root: Path, dataset: DatasetRef, target: str | None
) -> Profile | None:
    """The stored profile if it was made from this exact data and target, else None."""
    try:
        path = profile_path(project_root, dataset)
        stored = json.loads(path.read_text(encoding="utf-8"))
        if (
            stored.get("store_version") == STORE_VERSION
            and stored.get("data_sha256") == dataset.data_sha256
            and stored.get("target") == target
        ):
            return Profile.from_dict(stored["profile"])
    except (OSError, ValueError, KeyError, TypeError, WorkbenchError):
        # A missing or damaged cache is not an error: the data is simply profiled again (a
        # dataset path refused as leaving the project: profiling says so).
        return None
    return None


def profile_project_dataset(
    project_root: str | Path,
    dataset: DatasetRef,
    target: str | None,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
    on_partial: Callable[[Any], None] | None = None,
) -> Profile:
    """Load the project's data, profile it (column by column through on_partial), store it."""
    root = Path(project_root)
    progress(0.0, f"Loading {dataset.source_name}")
    frame = load_dataset_frame(root, dataset)
    cancel.raise_if_cancelled()
    profile = profile_frame(
        frame,
        target=target,
        kinds=dataset.kinds,
        progress=progress,
        cancel=cancel,
        on_column=on_partial,
    )
    write_json_atomic(
        profile_path(root, dataset),
        {
            "store_version": STORE_VERSION,
            "data_sha256": dataset.data_sha256,
            "target": target,
            "profile": profile.to_dict(),
        },
    )
    return profile
