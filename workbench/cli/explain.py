"""`workbench explain PROJECT RUN [--rows N] [--slice COLUMN] [--pdp COLUMN] [--json]`: why a
run predicts what it does (SHAP values of a sample of its validation rows), how a prediction
moves with one column (partial dependence), and where it does worse (metrics per slice).

The same core functions as the Results panel's Explain views; what is computed is kept beside
the run (core.explain.run_explanations), so the window shows it too.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from workbench.cli.output import print_json, print_table
from workbench.core.errors import WorkbenchError

# The human-readable output lists this many columns by importance.
SHOWN_COLUMNS = 15


def add_parser(sub: Any) -> None:
    explain = sub.add_parser(
        "explain",
        help="explain a run: SHAP values, partial dependence of a column, metrics per slice",
    )
    explain.add_argument("project", type=Path)
    explain.add_argument("run", help="run id (see `workbench runs PROJECT`)")
    explain.add_argument(
        "--rows",
        type=int,
        default=100,
        metavar="N",
        help="how many validation rows to explain (a seeded sample; default 100)",
    )
    explain.add_argument(
        "--slice",
        action="append",
        metavar="COLUMN",
        help="the run's validation metrics per value of COLUMN (twice: of two columns together)",
    )
    explain.add_argument(
        "--pdp", metavar="COLUMN", help="partial dependence of the prediction on COLUMN"
    )
    explain.add_argument("--json", action="store_true", help="print JSON for scripts")
    explain.set_defaults(handler=cmd)


def cmd(args: argparse.Namespace) -> int:
    if not args.project.is_dir():
        raise WorkbenchError(f"project folder not found: {args.project}")
    if args.rows < 1:
        raise WorkbenchError(f"--rows must be at least 1, not {args.rows}")
    if args.slice is not None and len(args.slice) > 2:
        raise WorkbenchError(f"slice by one or two columns, not {len(args.slice)}")
    # Imported here: `workbench --help` should not wait for pandas and scikit-learn.
    from workbench.core.explain.document import explain_document
    from workbench.core.explain.run_explanations import (
        RunExplanations,
        explain_rows,
        feature_column,
        run_partial_dependence,
        run_slices,
        save_explanations,
    )
    from workbench.core.runs.loaded import LoadedRun

    with LoadedRun.open(args.project, args.run) as run:
        # Columns are checked before the slow part, so a typo costs nothing.
        if args.pdp is not None:
            feature_column(run, args.pdp)
        slices = run_slices(run, args.slice) if args.slice else None
        explained = explain_rows(run, args.rows)
        pdp = None if args.pdp is None else run_partial_dependence(run, args.pdp, args.rows)
        save_explanations(
            run.folder,
            RunExplanations(
                explained,
                {} if pdp is None else {pdp.column: pdp},
                {} if slices is None else {slices.column: slices},
            ),
        )
        if run.project.read_only:
            print(
                f"note: the project {args.project} is read-only: the explanations are shown, "
                "not saved",
                file=sys.stderr,
            )
    document = explain_document(explained.shap, slices, pdp)
    if args.json:
        print_json(document)
        return 0
    _print_document(document, explained.data)
    return 0


def _print_document(document: dict[str, Any], data: str) -> None:
    shap = document["shap"]
    where = "test" if data == "test" else "out-of-fold"
    print(
        f"SHAP values of {len(shap['rows'])} {where} rows ({shap['method'].replace('_', ' ')}, "
        f"output: {shap['output'].replace('_', '-')}); base value {_base(shap['base_value'])}"
    )
    if shap["note"]:
        print(f"note: {shap['note']}")
    ranked = list(document["importance"].items())
    print_table(["column", "mean |SHAP|"], [(c, f"{v:.4g}") for c, v in ranked[:SHOWN_COLUMNS]])
    if len(ranked) > SHOWN_COLUMNS:
        print(f"... and {len(ranked) - SHOWN_COLUMNS} more columns (--json lists them all)")
    slices = document["slices"]
    if slices is not None:
        metric = slices["metric"]
        print(f"\n{metric} per slice of {slices['column']} (out-of-fold predictions):")
        print_table(
            ["value", "rows", metric, "± across folds"],
            [
                (g["value"], str(g["count"]), _number(g.get(metric)),
                 _number(g["fold_std"].get(metric)))
                for g in slices["groups"]
            ],
        )  # fmt: skip
        gap = slices["largest_gap"]
        if gap is not None:
            print(
                f"largest gap: {_number(gap['difference'])} between {gap['best']} and "
                f"{gap['worst']}{'' if gap['clear'] else ' (within the folds noise)'}"
            )
        for name, value in slices["fairness"].items():
            print(f"{name.replace('_', ' ')}: {_number(value)}")
    pdp = document["pdp"]
    if pdp is not None:
        print(f"\npartial dependence on {pdp['column']} ({pdp['output']}):")
        average = pdp["average"]
        if isinstance(average, dict):
            labels = list(average)
            rows = [
                (str(value), *(_number(average[label][i]) for label in labels))
                for i, value in enumerate(pdp["grid"])
            ]
            print_table([pdp["column"], *labels], rows)
        else:
            print_table(
                [pdp["column"], "average"],
                [(str(value), _number(average[i])) for i, value in enumerate(pdp["grid"])],
            )


def _base(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{label}: {number:.4g}" for label, number in value.items())
    return f"{value:.4g}"


def _number(value: Any) -> str:
    return "—" if value is None else f"{float(value):.4g}"
