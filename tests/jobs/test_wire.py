"""How events travel from a child to its parent: pipe for small objects, file for big ones."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from jobs import job_fixtures as fx
from workbench.jobs.events import DoneEvent, PartialEvent, ProgressEvent
from workbench.jobs.process_runner import ChildChannel
from workbench.jobs.wire import recv_object, send_object

VIA = pytest.mark.parametrize("via_file", [False, True], ids=["pipe", "file"])


def _round_trip(obj: Any, spill_dir: Path, via_file: bool) -> Any:
    receiver, sender = multiprocessing.Pipe(duplex=False)
    # A pipe holds ~64 KB: the sender must run beside the receiver.
    thread = threading.Thread(
        target=send_object, args=(sender, obj, str(spill_dir), 0 if via_file else 1 << 40)
    )
    thread.start()
    try:
        return recv_object(receiver)
    finally:
        thread.join()
        receiver.close()
        sender.close()


@VIA
def test_arrays_arrive_equal_and_writable(tmp_path: Path, via_file: bool) -> None:
    array = np.arange(1_000_000, dtype=np.float64)
    received = _round_trip(array, tmp_path, via_file)
    np.testing.assert_array_equal(received, array)
    assert received.flags.writeable
    received[0] = -1.0  # pandas before copy-on-write writes into such arrays
    assert list(tmp_path.iterdir()) == []  # the file is gone once read


@VIA
def test_non_contiguous_and_empty_buffers_survive(tmp_path: Path, via_file: bool) -> None:
    strided = np.arange(20).reshape(4, 5)[:, ::2]
    empty = np.array([], dtype=np.int64)
    received = _round_trip({"strided": strided, "empty": empty, "text": "ü"}, tmp_path, via_file)
    np.testing.assert_array_equal(received["strided"], strided)
    assert received["empty"].shape == (0,)
    assert received["text"] == "ü"


@VIA
def test_a_dataframe_inside_an_event_round_trips(tmp_path: Path, via_file: bool) -> None:
    frame = fx.make_frame(10_000)
    received = _round_trip(DoneEvent(frame), tmp_path, via_file)
    assert isinstance(received, DoneEvent)
    pd.testing.assert_frame_equal(received.result, frame, check_exact=True)


def test_only_big_messages_go_through_a_file(tmp_path: Path) -> None:
    receiver, sender = multiprocessing.Pipe(duplex=False)
    send_object(sender, ProgressEvent(0.5, "small"), str(tmp_path), spill_bytes=1 << 20)
    assert list(tmp_path.iterdir()) == []
    sender.close()
    assert recv_object(receiver) == ProgressEvent(0.5, "small")


def test_the_child_channel_throttles_progress_but_flushes_it_before_other_events() -> None:
    receiver, sender = multiprocessing.Pipe(duplex=False)
    channel = ChildChannel(sender, interval=60.0)
    channel.progress(0.1, "reading")  # first: sent
    channel.progress(0.2, "reading")  # same message within the interval: held back
    channel.progress(0.3, "reading")  # replaces the held one
    channel.progress(0.4, "parsing")  # a new message always goes at once
    channel.progress(0.5, "parsing")  # held...
    channel.send(PartialEvent("rows"))  # ...and flushed before the partial result
    received = []
    while receiver.poll(0.1):
        received.append(recv_object(receiver))
    assert received == [
        ProgressEvent(0.1, "reading"),
        ProgressEvent(0.4, "parsing"),
        ProgressEvent(0.5, "parsing"),
        PartialEvent("rows"),
    ]


def test_the_child_channel_sends_progress_again_once_the_interval_passed() -> None:
    receiver, sender = multiprocessing.Pipe(duplex=False)
    channel = ChildChannel(sender, interval=0.0)
    channel.progress(0.1, "reading")
    channel.progress(0.2, "reading")
    assert [recv_object(receiver), recv_object(receiver)] == [
        ProgressEvent(0.1, "reading"),
        ProgressEvent(0.2, "reading"),
    ]
