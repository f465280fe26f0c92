"""Export a run: ONNX (with parity proven), a Docker bundle, a joblib copy, a model card.

`export_run` (by project folder and run id) is the job the GUI's Export panel and the CLI
run; it opens the run once (the project, the experiment log, the data's Parquet hashed once) and
hands the LoadedRun to `write_export`. The ONNX model is converted once and checked once; the
Docker bundle is built from that same file. Nothing is written when the ONNX model fails the
parity check: the user gets ExportRefused saying by how much and where, and the result is still
recorded in the experiment log (`export.parity`), as is every passed check.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from workbench.core.atomic import write_bytes_atomic, write_text_atomic
from workbench.core.chain.advice import rescaling_step, tree_models
from workbench.core.errors import WorkbenchError
from workbench.core.export.blockers import run_blockers
from workbench.core.export.contract_text import onnx_readme
from workbench.core.export.feature_schema import FeatureSchema, schema_for_run
from workbench.core.export.joblib_export import export_joblib
from workbench.core.export.model_card import model_card_text
from workbench.core.export.parity import DEFAULT_THRESHOLD, ParityResult, check_parity, parity_rows
from workbench.core.progress import NEVER_CANCELLED, CancelToken, ProgressFn, no_progress
from workbench.core.runs.loaded import LoadedRun

EXPORT_WANTED = "model to export"

CARD_FILE = "model_card.md"
SCHEMA_FILE = "schema.json"
README_FILE = "README.md"
# Why a model family can miss parity, added to the refusal so the user knows what to try.
_PARITY_HINTS = {
    "knn_classifier": "a nearest-neighbour model picks among training rows at the same "
    "distance by rounding, so ONNX (float32) and scikit-learn (float64) can pick different "
    "neighbours",
    "knn_regressor": "a nearest-neighbour model picks among training rows at the same "
    "distance by rounding, so ONNX (float32) and scikit-learn (float64) can pick different "
    "neighbours",
}


class ExportRefused(WorkbenchError):
    """The export would not predict what the workbench predicted, or cannot be made at all."""


@dataclass
class ExportRequest:
    """What to make; None skips that output. `threshold` bounds the parity difference."""

    onnx: Path | None = None
    docker: Path | None = None
    joblib: Path | None = None
    script: Path | None = None  # a Python script that reproduces the run (+ requirements.txt)
    notebook: Path | None = None  # the same as a Jupyter notebook
    card: bool = True
    threshold: float = DEFAULT_THRESHOLD


@dataclass
class ExportResult:
    files: list[Path] = field(default_factory=list)
    parity: ParityResult | None = None
    notes: list[str] = field(default_factory=list)


def export_blockers(project_root: str | Path, run_id: str) -> list[str]:
    """What stops the run from converting to ONNX (empty when it converts): each line names
    the step, column or model and the reason."""
    return check_export(project_root, run_id).blockers


@dataclass(frozen=True)
class ExportCheck:
    """What the Export panel says before the click: what blocks ONNX, and what converts but
    may miss parity."""

    blockers: list[str]
    warnings: list[str]


def check_export(project_root: str | Path, run_id: str) -> ExportCheck:
    """export_blockers, plus warnings (a rescaling step before a tree model); a job (a run
    logged before it recorded its chain loads scikit-learn to rebuild it)."""
    with LoadedRun.open(project_root, run_id, EXPORT_WANTED) as run:
        hint = _rescaling_hint(run)
        return ExportCheck(run_blockers(run), [hint[0].upper() + hint[1:]] if hint else [])


def export_run(
    project_root: str | Path,
    run_id: str,
    request: ExportRequest,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> ExportResult:
    """The export job: `write_export` of the finished run `run_id`."""
    wanted = (request.onnx, request.docker, request.joblib, request.script, request.notebook)
    if all(target is None for target in wanted):
        raise WorkbenchError("choose at least one export: ONNX, Docker, joblib or Python script")
    if not request.threshold >= 0:
        raise WorkbenchError(f"the parity threshold must be 0 or more, got {request.threshold}")
    progress(0.0, "reading the run")
    with LoadedRun.open(project_root, run_id, EXPORT_WANTED) as run:
        return write_export(run, request, progress, cancel or NEVER_CANCELLED)


def write_export(
    run: LoadedRun,
    request: ExportRequest,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> ExportResult:
    """Make the requested files; raises ExportRefused when ONNX parity fails or a step or the
    model cannot convert."""
    result = ExportResult()
    wants_onnx = request.onnx is not None or request.docker is not None
    if wants_onnx:
        blockers = run_blockers(run)
        if blockers:
            raise ExportRefused(
                f"run {run.run_id} cannot be exported to ONNX: " + "; ".join(blockers)
            )
    with tempfile.TemporaryDirectory(prefix="workbench-export-") as scratch:
        onnx_file = None
        schema = None
        if wants_onnx:
            onnx_bytes, schema, result.parity = _convert_and_check(
                run, request.threshold, progress, cancel
            )
            onnx_file = request.onnx or Path(scratch) / "model.onnx"
            write_bytes_atomic(onnx_file, onnx_bytes)
            if request.onnx is not None:
                schema_file = onnx_file.parent / SCHEMA_FILE
                schema.save(schema_file)
                result.files += [onnx_file, schema_file]
        cancel.raise_if_cancelled()
        if request.joblib is not None:
            progress(0.75, "copying the joblib pipeline")
            result.files += export_joblib(run, request.joblib)
        if request.script is not None or request.notebook is not None:
            progress(0.8, "writing the Python script")
            from workbench.core.export.script.write import write_script

            result.files += write_script(run, request.script, request.notebook)
        cards = _write_cards(run, request, result, Path(scratch))
        if request.onnx is not None and schema is not None:
            result.files.append(_onnx_readme(schema, Path(request.onnx).parent, result.files))
        if request.docker is not None and onnx_file is not None and schema is not None:
            progress(0.85, "writing the Docker bundle")
            result.files += _docker_bundle(run, onnx_file, schema, request.docker, cards)
    run.log.log_params(run.run_id, {"export.last": _export_entry(result)})
    progress(1.0, "export done")
    return result


def _convert_and_check(
    run: LoadedRun, threshold: float, progress: ProgressFn, cancel: CancelToken
) -> tuple[bytes, FeatureSchema, ParityResult]:
    from workbench.core.export.onnx_convert import convert_pipeline

    progress(0.1, "loading the fitted pipeline")
    pipeline = run.pipeline
    schema = schema_for_run(run)
    cancel.raise_if_cancelled()
    progress(0.25, "converting to ONNX")
    onnx_bytes = convert_pipeline(pipeline, schema).SerializeToString()
    cancel.raise_if_cancelled()
    progress(0.5, "checking parity")
    rows, source = parity_rows(run)
    X = run.frame.iloc[rows][schema.names]
    parity = check_parity(pipeline, onnx_bytes, schema, X, source, threshold, rows=rows)
    run.log.log_params(run.run_id, {"export.parity": parity.to_dict()})
    if not parity.passed:
        raise ExportRefused(_refusal(run, parity))
    return onnx_bytes, schema, parity


def _refusal(run: LoadedRun, parity: ParityResult) -> str:
    run_id, model = run.run_id, run.model
    what = "probability" if parity.measure == "probability" else "relative"
    text = (
        f"run {run_id} was not exported: the ONNX model does not predict what the workbench "
        f"predicted on {parity.rows} {parity.source}. Largest {what} difference "
        f"{parity.max_difference:.3g} (threshold {parity.threshold:g}), at data row "
        f"{parity.worst_row}"
    )
    if parity.label_agreement is not None:
        text += (
            f"; labels agree on {parity.label_agreement:.2%} of rows "
            f"({parity.label_mismatches - parity.tied_mismatches} differ outside ties)"
        )
    hint = _PARITY_HINTS.get(model.name) or _rescaling_hint(run)
    if hint:
        text += f". Likely cause: {hint}"
    return text + ". Export it as joblib, or train another model."


def _rescaling_hint(run: LoadedRun) -> str | None:
    """A step that recomputes numbers before a tree model: the usual reason a tree misses
    parity (float32 arithmetic in ONNX moves values across the trees' split points)."""
    label = rescaling_step(run.resolved_chain) if tree_models([run.model]) else None
    if label is None:
        return None
    return (
        f"the chain's '{label}' step recomputes numbers before a tree model, and ONNX "
        "does it in float32, which moves values across the trees' split points; trees "
        "need no scaling: switch that step off for this model and train again"
    )


def _write_cards(
    run: LoadedRun, request: ExportRequest, result: ExportResult, scratch: Path
) -> dict[str, Path]:
    """A card beside the ONNX file and the joblib file (once per folder), and one for the
    Docker bundle."""
    folders = []
    for target in (request.onnx, request.joblib):
        if target is not None and Path(target).parent not in folders:
            folders.append(Path(target).parent)
    if not request.card or (not folders and request.docker is None):
        return {}  # a script alone has no card beside it: its slices are not worked out
    text = model_card_text(run, result.parity, list(result.files))
    for folder in folders:
        write_text_atomic(folder / CARD_FILE, text)
        result.files.append(folder / CARD_FILE)
    if request.docker is None:
        return {}
    bundle_card = scratch / CARD_FILE
    write_text_atomic(bundle_card, text)
    return {CARD_FILE: bundle_card}


def _onnx_readme(schema: FeatureSchema, folder: Path, files: list[Path]) -> Path:
    """README.md beside model.onnx: what to send, schema.json being the caller's contract."""
    here = [path.name for path in files if path.parent == folder]
    readme = folder / README_FILE
    write_text_atomic(readme, onnx_readme(schema, [*here, README_FILE]))
    return readme


def _docker_bundle(
    run: LoadedRun, onnx_file: Path, schema: FeatureSchema, out_dir: Path, cards: dict[str, Path]
) -> list[Path]:
    """The serve helper's bundle, its example request made of the run's real held-out rows,
    with the run's monitor reference for /drift (built and stored now if the run has none)."""
    try:
        from workbench.core.export.docker_bundle import example_rows, write_docker_bundle
    except ImportError as error:
        raise WorkbenchError(f"the Docker bundle writer is not available: {error}") from error
    from workbench.core.monitor.run_reference import run_reference

    return list(
        write_docker_bundle(
            onnx_file,
            schema,
            Path(out_dir),
            extra_files=cards,
            reference=run_reference(run),
            examples=example_rows(run),
        )
    )


def _export_entry(result: ExportResult) -> dict[str, object]:
    """What the log keeps of an export (`export.last`): when, which files, parity passed."""
    return {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": [str(path) for path in result.files],
        "parity_passed": result.parity.passed if result.parity is not None else None,
    }
