"""`workbench export`: a run as ONNX (with its parity check), a Docker bundle, a joblib file, a
Python script or notebook that reproduces it, and a model card, from the command line.

Without a RUN the best finished run is exported (core.runs.best).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from workbench.cli.output import print_json
from workbench.core.errors import WorkbenchError


def add_parser(sub: Any) -> None:
    export = sub.add_parser(
        "export",
        help="export a run: ONNX with a parity check, a Docker bundle, joblib, a Python script",
    )
    export.add_argument("project", type=Path)
    export.add_argument("run", nargs="?", help="run id (default: the best finished run)")
    export.add_argument("--onnx", type=Path, metavar="FILE", help="write the ONNX model here")
    export.add_argument(
        "--docker", type=Path, metavar="DIR", help="write the Docker bundle into this folder"
    )
    export.add_argument("--joblib", type=Path, metavar="FILE", help="write the joblib file here")
    export.add_argument(
        "--script",
        type=Path,
        metavar="FILE.py",
        help="write a Python script that reproduces the run (requirements.txt beside it)",
    )
    export.add_argument(
        "--notebook", type=Path, metavar="FILE.ipynb", help="write the same as a Jupyter notebook"
    )
    export.add_argument("--no-card", action="store_true", help="do not write a model card")
    export.add_argument(
        "--threshold",
        type=float,
        default=1e-4,
        help="largest difference the parity check accepts (default 1e-4)",
    )
    export.add_argument(
        "--replace",
        action="store_true",
        help="overwrite another run's export already at these paths",
    )
    export.add_argument("--json", action="store_true", help="print the result as JSON")
    export.set_defaults(handler=cmd)


def cmd(args: argparse.Namespace) -> int:
    wanted = (args.onnx, args.docker, args.joblib, args.script, args.notebook)
    if all(target is None for target in wanted):
        raise WorkbenchError(
            "say what to export: --onnx FILE, --docker DIR, --joblib FILE, --script FILE.py "
            "and/or --notebook FILE.ipynb"
        )
    if not args.project.is_dir():
        raise WorkbenchError(f"project folder not found: {args.project}")
    from workbench.core.runs.best import best_run

    run_id = args.run or best_run(args.project, "to export")
    from workbench.core.export.export_run import ExportRequest, export_run

    request = ExportRequest(
        onnx=args.onnx,
        docker=args.docker,
        joblib=args.joblib,
        script=args.script,
        notebook=args.notebook,
        card=not args.no_card,
        threshold=args.threshold,
    )
    from workbench.core.export.replaced_files import replaced_export

    replaced = replaced_export(request, run_id)
    if replaced is not None and not args.replace:
        whose = f"run {replaced.run_id}'s export" if replaced.run_id else "exported files"
        names = ", ".join(str(path) for path in replaced.files)
        raise WorkbenchError(f"{names} hold {whose}: pass --replace to overwrite them")
    result = export_run(args.project, run_id, request)
    if args.json:
        print_json(
            {
                "run_id": run_id,
                "files": [str(path) for path in result.files],
                "parity": result.parity.to_dict() if result.parity is not None else None,
                "notes": list(result.notes),
            }
        )
        return 0
    print(f"exported run {run_id}" + ("" if args.run else " (the best finished run)"))
    if result.parity is not None:
        print(result.parity.summary())
    for path in result.files:
        print(f"  {path}")
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0
