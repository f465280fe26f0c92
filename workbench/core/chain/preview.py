"""Preview a chain on a sample: what each step does to the shape and columns, and the result.

The chain panel shows, beside every step, the shape after it and the columns it added or
removed, and under the chain the transformed sample. Each step is previewed by fitting the chain
up to and including it (a ColumnTransformer cannot be fitted one step at a time: branches are
fitted side by side), on a seeded sample so a 10-million-row table previews as fast as a small
one. A bad chain or a failing step is a normal outcome here, not an exception: it comes back in
`error` / `error_step` so the panel can mark the step.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from workbench.core.chain.resolve import ResolvedChain
from workbench.core.progress import NEVER_CANCELLED, CancelToken, ProgressFn, no_progress


@dataclass(frozen=True)
class StepPreview:
    """The data after step `index` (0-based in the chain): shape and column changes."""

    index: int
    step: str
    label: str
    rows: int
    columns: int
    added: tuple[str, ...]
    removed: tuple[str, ...]
    error: str | None = None


@dataclass(frozen=True)
class ChainPreview:
    """The transformed sample (its first rows), each enabled step's preview, and the first
    error with the index of the step it belongs to."""

    frame: pd.DataFrame
    steps: tuple[StepPreview, ...]
    input_rows: int
    input_columns: int
    error: str | None = None
    error_step: int | None = None


def sample_frame(frame: pd.DataFrame, sample_rows: int, seed: int) -> pd.DataFrame:
    """A seeded sample in the table's own row order (all rows when the table is small)."""
    if len(frame) <= sample_rows:
        return frame
    return frame.sample(n=sample_rows, random_state=seed).sort_index()


def _first_line(error: BaseException) -> str:
    """The error's first line (scikit-learn appends paragraphs of advice), with the fix for the
    commonest failure, missing values reaching a step that cannot take them."""
    lines = str(error).strip().splitlines()
    first = lines[0] if lines else type(error).__name__
    if "contains NaN" in first:
        first += " Missing values reach this step: fill them in an earlier step."
    return first


def preview_chain(
    frame: pd.DataFrame,
    chain: ResolvedChain,
    sample_rows: int = 2000,
    show_rows: int = 200,
    seed: int = 0,
    progress: ProgressFn = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> ChainPreview:
    """Fit the chain prefix after each enabled step on a sample; never raises for a bad chain
    or a failing step (only Cancelled, between steps)."""
    # Imported here: compiling loads scikit-learn, which the window never pays for a preview.
    from workbench.core.chain.compile import build_transformer
    from workbench.core.chain.stages import apply_row_steps

    target = chain.target
    sample = sample_frame(frame, sample_rows, seed)
    features = [c for c in sample.columns if c in chain.kinds]
    X = sample[features]
    y = sample[target] if target is not None and target in sample.columns else None
    first_problem = chain.problems[0] if chain.problems else None

    shown = X
    names = [str(c) for c in features]
    previews: list[StepPreview] = []
    error: str | None = None
    error_step: int | None = None
    for done, step in enumerate(chain.steps):
        cancel.raise_if_cancelled()
        index, title = step.index, step.title
        progress(done / max(len(chain.steps), 1), f"Previewing {title}")
        if first_problem is not None and first_problem.step_index <= index:
            error, error_step = first_problem.message, first_problem.step_index
        else:
            prefix = chain.prefix(index + 1)
            try:
                rows_X, rows_y = apply_row_steps(prefix, X, y, seed)
                output = build_transformer(prefix).fit_transform(rows_X, rows_y)
            except Exception as failure:  # any fit failure is the step's, shown on the step
                error, error_step = f"{title} failed: {_first_line(failure)}", index
            else:
                after = [str(c) for c in output.columns]
                before = set(names)
                previews.append(
                    StepPreview(
                        index=index,
                        step=step.name,
                        label=step.label,
                        rows=len(output),
                        columns=len(after),
                        added=tuple(c for c in after if c not in before),
                        removed=tuple(c for c in names if c not in set(after)),
                    )
                )
                shown, names = output, after
                continue
        rows, width = (previews[-1].rows, previews[-1].columns) if previews else X.shape
        previews.append(StepPreview(index, step.name, step.label, rows, width, (), (), error))
        break
    progress(1.0, "Preview ready")
    return ChainPreview(
        frame=shown.head(show_rows),
        steps=tuple(previews),
        input_rows=len(X),
        input_columns=len(features),
        error=error,
        error_step=error_step,
    )
