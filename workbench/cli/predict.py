"""`workbench predict`: predictions for a new table file, from a run or an exported ONNX model.

    workbench predict PROJECT RUN FILE --out PREDICTIONS.csv
    workbench predict --onnx MODEL.onnx FILE --out PREDICTIONS.parquet

The file is checked against the model's schema first; the output has the key column(s)
(--key, default the project's identifier columns, else `row`), `prediction` and
`proba_<class>` per class. Columns the model does not take are ignored, and values the training
data never had are counted: both are said once on stderr (and in --json's summary).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from workbench.cli.output import print_json
from workbench.cli.read_options import add_read_options, read_options
from workbench.core.errors import WorkbenchError
from workbench.core.numbers import format_number

USAGE = "give PROJECT RUN FILE, or --onnx MODEL.onnx FILE"


def add_parser(sub: Any) -> None:
    predict = sub.add_parser(
        "predict",
        help="predict a table file with a run or an exported ONNX model",
        usage="workbench predict (PROJECT RUN | --onnx MODEL.onnx) FILE --out PREDICTIONS",
    )
    predict.add_argument(
        "inputs", nargs="+", metavar="ARG", help="PROJECT RUN FILE, or FILE with --onnx"
    )
    predict.add_argument("--onnx", type=Path, metavar="MODEL", help="an exported ONNX model")
    predict.add_argument(
        "--out", type=Path, required=True, metavar="FILE", help="predictions file: .csv or .parquet"
    )
    predict.add_argument(
        "--key",
        action="append",
        metavar="COLUMN",
        help="column of FILE copied to the output (repeatable; default: the project's "
        "identifier columns, else the row number)",
    )
    add_read_options(predict)
    predict.add_argument("--json", action="store_true", help="print a summary as JSON")
    predict.set_defaults(handler=cmd)


def cmd(args: argparse.Namespace) -> int:
    from workbench.core.export.predict import predict_file, predict_file_onnx
    from workbench.core.io.table import require_table_file
    from workbench.core.runs.loaded import LoadedRun

    options = read_options(args.option)
    if args.onnx is not None:
        if len(args.inputs) != 1:
            raise WorkbenchError(f"with --onnx give only the FILE to predict; {USAGE}")
        source = Path(args.inputs[0])
        require_table_file(source)
        result = predict_file_onnx(args.onnx, source, args.out, args.key, options=options)
    else:
        if len(args.inputs) != 3:
            raise WorkbenchError(f"predict needs 3 arguments, got {len(args.inputs)}; {USAGE}")
        project, run_id, source = Path(args.inputs[0]), args.inputs[1], Path(args.inputs[2])
        if not project.is_dir():
            raise WorkbenchError(f"project folder not found: {project}")
        require_table_file(source)
        with LoadedRun.open(project, run_id, "model to predict with") as run:
            result = predict_file(run, source, args.out, args.key, options=options)
    for note in result.notes():
        print(f"note: {note}", file=sys.stderr)
    if args.json:
        print_json(
            {
                "path": str(result.path),
                "rows": result.rows,
                "columns": result.columns,
                "keys": result.keys,
                "ignored_columns": result.ignored,
                "unseen": result.unseen,
            }
        )
    else:
        print(f"wrote {format_number(result.rows)} predictions to {result.path}")
        print(f"columns: {', '.join(result.columns)}")
    return 0
