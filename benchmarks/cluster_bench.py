"""Cluster benchmark: a 20-trial random search on adult in process and on a Dask LocalCluster.

UCI adult (clean/adult-train.csv, 32,561 rows, target column_14, 20% test set), a random
search of 20 candidates x 3 folds of one model (XGBoost unless --model says otherwise; 60 fits,
then the winner's final fit and one test score), seed 0, the same spec in every configuration:

  in process, 1 core       the plain path: every fit in the training process, one thread
  cluster, 1 worker        a LocalCluster of 1 single-threaded worker process: the cluster
                           path's overhead against "in process, 1 core" (same work, same core)
  cluster, 2 workers       a LocalCluster of 2 single-threaded worker processes

The cluster is started before the clock starts (its start-up is its own row), as a real
cluster would be running already; the time includes connecting, scattering the data, every
fit, the results coming back and the final fit (in the training process). Scores must be
equal in every row. Last, the cancel latency on the cluster: the time from cancel() (right
after the first trial is reported) until train() has raised, its futures cancelled.

    python benchmarks/cluster_bench.py [--data ../shared/data] [--trials 20] [--folds 3]
        [--model xgboost]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from distributed import LocalCluster
from train_bench import make_project

from workbench.core.compute.cluster import start_local_cluster
from workbench.core.compute.setting import LOCAL_COMPUTE, parse_compute
from workbench.core.progress import Cancelled, CancelToken
from workbench.core.project import open_project
from workbench.core.specs import ModelSpec, SplitSpec, TrainSpec, TuneSpec
from workbench.core.train.events import CandidateResult, TrialDone
from workbench.core.train.runner import TrainingInput, train, training_input

METRIC = "roc_auc"


def search_spec(model: str, trials: int, folds: int, n_jobs: int) -> TrainSpec:
    return TrainSpec(
        models=(ModelSpec(model),),
        split=SplitSpec("stratified_kfold", n_splits=folds, test_fraction=0.2),
        tune=TuneSpec("random", n_trials=trials, metric=METRIC),
        seed=0,
        n_jobs=n_jobs,
        include_baseline=False,
    )


def timed(inputs: TrainingInput, spec: TrainSpec) -> tuple[float, CandidateResult]:
    started = time.perf_counter()
    (result,) = train(inputs, spec)
    seconds = time.perf_counter() - started
    if result.status != "finished":
        raise SystemExit(f"the search did not finish: {result.message}")
    return seconds, result


def local_cluster(workers: int) -> tuple[LocalCluster, float]:
    started = time.perf_counter()
    cluster = start_local_cluster(workers)
    return cluster, time.perf_counter() - started


def cancel_latency(inputs: TrainingInput, spec: TrainSpec) -> float:
    """Seconds from cancel() (after the first trial) until train() raised Cancelled."""
    token = CancelToken()
    asked: list[float] = []

    def on_partial(event: object) -> None:
        if isinstance(event, TrialDone) and not asked:
            asked.append(time.perf_counter())
            token.cancel()

    try:
        train(inputs, spec, cancel=token, on_partial=on_partial)
    except Cancelled:
        return time.perf_counter() - asked[0]
    raise SystemExit("the search was not cancelled")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=Path(__file__).parent.parent.parent / "shared" / "data"
    )
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--model", default="xgboost", help="a registry model name")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    print(
        f"adult, {args.model}, random search of {args.trials} candidates x {args.folds} folds, "
        f"{cores} cores; times include the winner's final fit and the test score\n"
    )
    print("| where | time | vs in process, 1 core | cluster start | CV ROC AUC | test ROC AUC |")
    print("|---|---|---|---|---|---|", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        inputs = training_input(open_project(make_project(args.data, Path(folder))))
        one_core = search_spec(args.model, args.trials, args.folds, 1)
        baseline, reference = timed(replace(inputs, compute=LOCAL_COMPUTE), one_core)
        print_row("in process, 1 core", baseline, "", reference, baseline, reference)
        for workers in (1, 2):
            cluster, start_seconds = local_cluster(workers)
            with cluster:
                on_cluster = replace(inputs, compute=parse_compute(cluster.scheduler_address))
                seconds, result = timed(on_cluster, one_core)
                label = f"cluster, {workers} worker{'s' if workers > 1 else ''} x 1 thread"
                print_row(label, seconds, f"{start_seconds:.1f} s", result, baseline, reference)
                if workers == 2:
                    latency = cancel_latency(on_cluster, one_core)
                    print(f"\ncancel on the 2-worker cluster, cancel() to train() raising: "
                          f"{latency:.2f} s")  # fmt: skip


def print_row(
    label: str,
    seconds: float,
    start: str,
    result: CandidateResult,
    baseline: float,
    reference: CandidateResult,
) -> None:
    same = (result.validation, result.test) == (reference.validation, reference.test)
    cv = result.validation[METRIC]["mean"]
    print(
        f"| {label} | {seconds:.1f} s | {seconds / baseline:.2f}x | {start} | {cv:.5f}"
        f"{'' if same else ' (differs)'} | {result.test[METRIC]:.5f} |",
        flush=True,
    )


if __name__ == "__main__":
    main()
