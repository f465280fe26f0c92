"""Serving latency: the exported ONNX model (onnxruntime) against the run's joblib pipeline.

On UCI adult (32,561 rows x 14 features, categorical and missing values), one run per model
(logistic regression, a 100-tree random forest, XGBoost with 200 trees), each converted to ONNX
by the export package. For each model, the same rows through:

  joblib     the fitted scikit-learn pipeline: predict_proba on a pandas DataFrame
  onnx       onnxruntime session.run on ready feeds (the model alone)
  onnx+feed  schema.onnx_feeds (checks and casts the DataFrame) + session.run
  http       POST /predict to the Docker bundle's service (uvicorn, loopback), JSON records

at 1 row (median of 200 calls) and 10,000 rows (median of 7), after a warm-up call. Both
runtimes use every core (onnxruntime's default; the forest's n_jobs is the run's).

    python benchmarks/serve_bench.py [--shared ../shared/data] [--no-http]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import onnxruntime
import pandas as pd

from workbench.core.dataset import import_table
from workbench.core.export.docker_bundle import request_records, write_docker_bundle
from workbench.core.export.feature_schema import FeatureSchema, schema_for_run
from workbench.core.export.onnx_convert import convert_pipeline
from workbench.core.project import create_project
from workbench.core.runs.loaded import LoadedRun
from workbench.core.specs import ModelSpec, SplitSpec, TrainSpec
from workbench.core.train.runner import run_training

REPO = Path(__file__).resolve().parent.parent
MODELS = (
    ModelSpec("logistic_regression"),
    ModelSpec("random_forest", {"n_estimators": 100}),
    ModelSpec("xgboost", {"n_estimators": 200}),
)
BATCH = 10_000
SINGLE_CALLS = 200
BATCH_CALLS = 7

sys.path.insert(0, str(REPO / "tests"))  # the test helper that starts a bundle's service


def median_ms(work: Callable[[], object], calls: int) -> float:
    work()  # warm-up: lazy initialisation, caches
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def post(url: str, body: bytes) -> None:
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()


def bench_run(project: Path, run_id: str, rows: pd.DataFrame, folder: Path, http: bool) -> dict:
    with LoadedRun.open(project, run_id) as run:
        pipeline = run.pipeline
        schema: FeatureSchema = schema_for_run(run)
    model = folder / f"{run_id}.onnx"
    model.write_bytes(convert_pipeline(pipeline, schema).SerializeToString())
    session = onnxruntime.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    outputs = list(schema.outputs.values())
    features = schema.validate_frame(rows)
    one, batch = features.head(1), features.head(BATCH)
    feeds_one, feeds_batch = schema.onnx_feeds(one), schema.onnx_feeds(batch)
    result: dict[str, float] = {}
    for label, frame, feeds, calls in (
        ("1", one, feeds_one, SINGLE_CALLS),
        ("10k", batch, feeds_batch, BATCH_CALLS),
    ):
        result[f"joblib {label}"] = median_ms(lambda f=frame: pipeline.predict_proba(f), calls)
        result[f"onnx {label}"] = median_ms(lambda d=feeds: session.run(outputs, d), calls)
        result[f"onnx+feed {label}"] = median_ms(
            lambda f=frame: session.run(outputs, schema.onnx_feeds(f)), calls
        )
    if http:
        from _serve_runs import Service

        bundle = folder / f"{run_id}-bundle"
        write_docker_bundle(model, schema, bundle, examples=rows.head(3))
        service = Service(bundle)
        try:
            url = f"{service.url}/predict"
            for label, frame, calls in (("1", one, SINGLE_CALLS), ("10k", batch, BATCH_CALLS)):
                body = json.dumps({"records": request_records(schema, frame)}).encode()
                result[f"http {label}"] = median_ms(lambda b=body: post(url, b), calls)
        finally:
            service.stop()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP service timings")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        project = create_project(folder / "adult")
        source = args.shared / "clean" / "adult-train.csv"
        project.attach_dataset(import_table(project.root, source, target="column_14"))
        project.save()
        spec = TrainSpec(
            models=MODELS,
            split=SplitSpec("holdout", validation_fraction=0.2, test_fraction=0.2),
            include_baseline=False,
        )
        started = time.perf_counter()
        results = run_training(project.root, spec)
        print(f"trained {len(results)} runs on adult in {time.perf_counter() - started:.1f} s")
        frame = project.load_frame().reset_index(drop=True)
        rows = frame.sample(BATCH, random_state=0)
        columns = ["joblib", "onnx", "onnx+feed"] + ([] if args.no_http else ["http"])
        timings = {r.model: bench_run(project.root, r.run_id, rows, folder, not args.no_http)
                   for r in results}  # fmt: skip
    print(
        f"median milliseconds per call ({SINGLE_CALLS} single-row calls, {BATCH_CALLS} x "
        f"{BATCH:,} rows), {os.cpu_count()} cores"
    )
    header = f"{'rows':>6}  {'model':<26}" + "".join(f"{c:>11}" for c in columns)
    header += f"{'joblib/onnx':>13}"
    print(header)
    print("-" * len(header))
    for size in ("1", "10k"):
        for model, timing in timings.items():
            cells = "".join(f"{timing[f'{c} {size}']:>11.2f}" for c in columns)
            ratio = timing[f"joblib {size}"] / timing[f"onnx {size}"]
            print(f"{size:>6}  {model:<26}{cells}{ratio:>12.1f}x")


if __name__ == "__main__":
    main()
