"""The out-of-band pickle framing used between a child and its parent."""

from __future__ import annotations

import multiprocessing
import threading
from typing import Any

import numpy as np
import pandas as pd

from jobs import job_fixtures as fx
from workbench.jobs.events import DoneEvent, PartialEvent, ProgressEvent
from workbench.jobs.process_runner import _ChildChannel
from workbench.jobs.wire import recv_object, send_object


def _round_trip(obj: Any) -> Any:
    receiver, sender = multiprocessing.Pipe(duplex=False)
    # A pipe holds ~64 KB: the sender must run beside the receiver.
    thread = threading.Thread(target=send_object, args=(sender, obj))
    thread.start()
    try:
        return recv_object(receiver)
    finally:
        thread.join()
        receiver.close()
        sender.close()


def test_arrays_arrive_equal_and_writable() -> None:
    array = np.arange(1_000_000, dtype=np.float64)
    received = _round_trip(array)
    np.testing.assert_array_equal(received, array)
    assert received.flags.writeable
    received[0] = -1.0  # pandas before copy-on-write writes into such arrays


def test_non_contiguous_and_empty_buffers_travel_in_band() -> None:
    strided = np.arange(20).reshape(4, 5)[:, ::2]
    empty = np.array([], dtype=np.int64)
    received = _round_trip({"strided": strided, "empty": empty, "text": "ü"})
    np.testing.assert_array_equal(received["strided"], strided)
    assert received["empty"].shape == (0,)
    assert received["text"] == "ü"


def test_a_dataframe_inside_an_event_round_trips() -> None:
    frame = fx.make_frame(10_000)
    received = _round_trip(DoneEvent(frame))
    assert isinstance(received, DoneEvent)
    pd.testing.assert_frame_equal(received.result, frame, check_exact=True)


def test_the_child_channel_throttles_progress_but_flushes_it_before_other_events() -> None:
    receiver, sender = multiprocessing.Pipe(duplex=False)
    channel = _ChildChannel(sender)
    channel.progress(0.1, "reading")  # first: sent
    channel.progress(0.2, "reading")  # same message within 20 ms: held back
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
