"""Training on a real Dask cluster: a LocalCluster of 2 worker processes, started once here.

Same spec and seed give the same metrics as in process; a cancel stops the run and leaves no
task on the scheduler; a worker killed mid-run is survived (its fits run again elsewhere) or,
when the scheduler may not retry, fails the fit with the reason; an unreachable scheduler is a
one-line error. The data is penguins (344 rows), the models small: the cost is the cluster's.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from _projects import make_project
from distributed import Client, LocalCluster

from workbench.core.compute.cluster import dask_client, start_local_cluster
from workbench.core.compute.setting import parse_compute
from workbench.core.errors import ProjectError, WorkbenchError
from workbench.core.progress import Cancelled, CancelToken
from workbench.core.project import PROJECT_FILE, open_project
from workbench.core.runs.log import LOG_FILE, ExperimentLog
from workbench.core.specs import ModelSpec, SplitSpec, TrainSpec, TuneSpec
from workbench.core.train.events import CandidateResult, FoldDone, RunStarted, TrialDone
from workbench.core.train.runner import TrainingInput, train, training_input

SPLIT = SplitSpec("stratified_kfold", n_splits=3, test_fraction=0.2)
# The baseline is cross-validated fold by fold, the forest searched in a round of trials: both
# paths of the runner go to the cluster.
SEARCH = TrainSpec(
    models=(ModelSpec("random_forest", {"n_estimators": 5}),),
    split=SPLIT,
    tune=TuneSpec("random", n_trials=3),
    seed=7,
    n_jobs=1,
)
# Enough fits that a worker is still busy when the first trial is back.
LONG_SEARCH = replace(
    SEARCH,
    models=(ModelSpec("random_forest", {"n_estimators": 30}),),
    tune=TuneSpec("random", n_trials=6),
    include_baseline=False,
)
CV_ONLY = replace(
    SEARCH,
    models=(ModelSpec("random_forest", {"n_estimators": 200}),),
    tune=TuneSpec(),
    split=SplitSpec("stratified_kfold", n_splits=6, test_fraction=0.2),
    include_baseline=False,
)


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with start_local_cluster(2) as started:
        yield started


@pytest.fixture(scope="module")
def client(cluster: LocalCluster) -> Iterator[Client]:
    """The test's own view of the cluster (the runner connects a client of its own)."""
    with Client(cluster.scheduler_address) as connected:
        yield connected


@pytest.fixture(scope="module")
def project(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(
        tmp_path_factory.mktemp("cluster") / "penguins", shared_data / "clean" / "penguins.csv"
    )


@pytest.fixture()
def inputs(project: Path, tmp_path: Path) -> TrainingInput:
    """A fresh copy of the project (its own experiment log) as a training input."""
    copy = tmp_path / "penguins"
    shutil.copytree(project, copy)
    return training_input(open_project(copy))


def _on(inputs: TrainingInput, cluster: LocalCluster) -> TrainingInput:
    return replace(inputs, compute=parse_compute(cluster.scheduler_address))


def _outcome(results: list[CandidateResult]) -> list[tuple]:
    return [(r.model, r.status, r.validation, r.test, r.best_params) for r in results]


def _events(events: list[object]) -> list[tuple]:
    """The streamed events without their run ids (new runs, new ids)."""
    shown = []
    for event in events:
        if isinstance(event, TrialDone):
            shown.append(("trial", event.model, event.trial, event.params, event.score))
        elif isinstance(event, FoldDone):
            shown.append(("fold", event.model, event.fold, event.scores))
        elif isinstance(event, RunStarted):
            shown.append(("started", event.model))
    return shown


@pytest.fixture(scope="module")
def local_search(project: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[list, list]:
    """SEARCH trained in process: the reference every cluster run must equal."""
    copy = tmp_path_factory.mktemp("local") / "penguins"
    shutil.copytree(project, copy)
    events: list[object] = []
    results = train(training_input(open_project(copy)), SEARCH, on_partial=events.append)
    return _outcome(results), _events(events)


def _wait_for(condition: Callable[[], bool], what: str, seconds: float = 60.0) -> None:
    """Wait for the cluster to settle (not a timing assertion: the limit only stops a hang)."""
    limit = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < limit, f"still waiting for {what}"
        time.sleep(0.05)


def _kill_a_busy_worker(cluster: LocalCluster, client: Client) -> str:
    """SIGKILL the process of a worker that has a fit running; its address."""
    pids = client.run(os.getpid)
    scheduler = cluster.scheduler
    _wait_for(lambda: any(w.processing for w in scheduler.workers.values()), "a worker to be busy")
    busy = next(address for address, w in scheduler.workers.items() if w.processing)
    os.kill(pids[busy], signal.SIGKILL)
    return busy


def test_same_spec_and_seed_give_the_same_metrics_and_events_on_the_cluster(
    inputs: TrainingInput, cluster: LocalCluster, local_search: tuple[list, list]
) -> None:
    events: list[object] = []
    messages: list[str] = []
    results = train(
        _on(inputs, cluster), SEARCH, lambda _f, m: messages.append(m), on_partial=events.append
    )
    assert [r.status for r in results] == ["finished"] * 2
    expected_outcome, expected_events = local_search
    assert _outcome(results) == expected_outcome
    assert _events(events) == expected_events
    # The baseline's 3 folds, the forest's 3 trials, then its winner's 3 folds.
    kinds = ["started", "fold", "fold", "fold", "started", "trial", "trial", "trial"]
    assert [e[0] for e in expected_events] == [*kinds, "fold", "fold", "fold"]
    assert any(m.endswith(f"on the Dask cluster at {cluster.scheduler_address}") for m in messages)
    # The runs are in the log as finished, with the winners' parameters.
    with ExperimentLog(inputs.root / LOG_FILE) as log:
        runs = log.runs()
    assert sorted(run.status for run in runs) == ["finished"] * 2


def test_cancel_stops_the_run_and_leaves_no_task_on_the_scheduler(
    inputs: TrainingInput, cluster: LocalCluster
) -> None:
    token = CancelToken()
    events: list[object] = []

    def on_partial(event: object) -> None:
        events.append(event)
        if isinstance(event, TrialDone):
            token.cancel()

    outcome: list[BaseException] = []

    def job() -> None:
        try:
            train(_on(inputs, cluster), LONG_SEARCH, cancel=token, on_partial=on_partial)
        except BaseException as error:
            outcome.append(error)

    thread = threading.Thread(target=job)
    thread.start()
    thread.join(120)
    assert not thread.is_alive(), "the job did not return after the cancel"
    assert len(outcome) == 1 and isinstance(outcome[0], Cancelled)
    # One trial of six was reported, then nothing: the cancel stopped the search.
    assert [type(e).__name__ for e in events] == ["RunStarted", "TrialDone", "CandidateResult"]
    assert events[-1].status == "cancelled"
    with ExperimentLog(inputs.root / LOG_FILE) as log:
        (run,) = log.runs()
    assert run.status == "cancelled" and run.message == "cancelled by the user"
    # Every fit the search had submitted is gone from the scheduler, the scattered data too.
    _wait_for(lambda: not cluster.scheduler.tasks, "the scheduler to forget the job's tasks")


def test_a_worker_killed_mid_search_is_survived_with_the_same_results(
    inputs: TrainingInput, cluster: LocalCluster, client: Client
) -> None:
    reference = train(replace(inputs, compute=parse_compute("local")), LONG_SEARCH)
    killed: list[str] = []

    def on_partial(event: object) -> None:
        if isinstance(event, TrialDone) and not killed:
            killed.append(_kill_a_busy_worker(cluster, client))

    results = train(_on(inputs, cluster), LONG_SEARCH, on_partial=on_partial)
    assert killed
    # The killed worker's fits ran again on a live worker: nothing lost, nothing different.
    assert [r.status for r in results] == ["finished"]
    assert _outcome(results) == _outcome(reference)
    client.wait_for_workers(2, timeout=120)  # its nanny restarts it for the next tests


def test_a_fit_whose_workers_keep_dying_fails_its_run_with_the_reason(
    inputs: TrainingInput, cluster: LocalCluster, client: Client
) -> None:
    client.wait_for_workers(2, timeout=120)
    scheduler = cluster.scheduler
    allowed = scheduler.allowed_failures
    scheduler.allowed_failures = 0  # the first death of a fit's worker fails the fit
    killed: list[str] = []

    def on_partial(event: object) -> None:
        if isinstance(event, FoldDone) and not killed:
            killed.append(_kill_a_busy_worker(cluster, client))

    try:
        (result,) = train(_on(inputs, cluster), CV_ONLY, on_partial=on_partial)
    finally:
        scheduler.allowed_failures = allowed
        client.wait_for_workers(2, timeout=120)
    assert killed
    assert result.status == "failed"
    assert result.message.startswith("the Dask workers running this fit died: ")
    assert killed[0] in result.message  # the worker that died is named
    with ExperimentLog(inputs.root / LOG_FILE) as log:
        (run,) = log.runs()
    assert (run.status, run.message) == ("failed", result.message)
    _wait_for(lambda: not cluster.scheduler.tasks, "the scheduler to forget the job's tasks")


def test_an_unreachable_scheduler_is_one_line_naming_it() -> None:
    setting = parse_compute("tcp://127.0.0.1:9")
    with pytest.raises(WorkbenchError) as caught, dask_client(setting, timeout=0.5):
        pass
    assert str(caught.value) == (
        "cannot reach the Dask scheduler at tcp://127.0.0.1:9: no answer within 0.5 s "
        "(is `dask scheduler` running there, and the port open?)"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("local", "local"),
        ("", "local"),
        ("local:3", "local:3"),
        ("tcp://scheduler.lan:8786", "tcp://scheduler.lan:8786"),
        ("10.0.0.5:9000", "tcp://10.0.0.5:9000"),
        ("tcp://10.0.0.5", "tcp://10.0.0.5:8786"),
    ],
)
def test_compute_settings_parse_to_one_written_form(text: str, expected: str) -> None:
    assert parse_compute(text).text == expected
    assert parse_compute(expected) == parse_compute(text)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("local:0", ": the number of workers must be a whole number, 1 or more"),
        ("local:two", ": the number of workers must be a whole number, 1 or more"),
        ("cluster", ""),
        ("tls://host:8786", ": only tcp:// scheduler addresses are supported, not tls://"),
        ("tcp://host:99999", ": the port must be a number from 1 to 65535"),
        ("tcp://:8786", ": the address needs a host name"),
    ],
)
def test_bad_compute_settings_name_the_value(text: str, why: str) -> None:
    with pytest.raises(WorkbenchError) as caught:
        parse_compute(text)
    assert str(caught.value) == (
        f"bad compute setting '{text}'{why}; use 'local', 'local:N' (N worker processes) or a "
        "scheduler address 'tcp://host:8786'"
    )


def test_the_setting_round_trips_through_project_json(project: Path, tmp_path: Path) -> None:
    copy = tmp_path / "penguins"
    shutil.copytree(project, copy)
    opened = open_project(copy)
    assert opened.compute.text == "local" and opened.compute.in_process
    opened.set_compute(parse_compute("tcp://10.0.0.5:8786"))
    assert opened.dirty
    opened.save()
    again = open_project(copy)
    assert again.compute.address == "tcp://10.0.0.5:8786"
    assert training_input(again).compute == again.compute
    assert json.loads((copy / PROJECT_FILE).read_text())["compute"] == "tcp://10.0.0.5:8786"
    # A hand-edited value that is no setting: the project file is named, and the value.
    data = json.loads((copy / PROJECT_FILE).read_text())
    data["compute"] = "local:-1"
    (copy / PROJECT_FILE).write_text(json.dumps(data))
    with pytest.raises(
        ProjectError, match=r"project\.json is damaged: bad compute setting 'local:-1'"
    ):
        open_project(copy)
