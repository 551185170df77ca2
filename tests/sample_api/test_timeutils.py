"""The one clock: real unless overridden, as oslo's timeutils is."""

from __future__ import annotations

from datetime import UTC, datetime

from sample_api import db, timeutils


def test_the_override_freezes_every_reader_until_cleared():
    instant = datetime(2015, 4, 30, 12, 0, 5, 250000, tzinfo=UTC)
    timeutils.set_time_override(instant)
    try:
        assert timeutils.utcnow() == datetime(2015, 4, 30, 12, 0, 5, 250000)
        assert timeutils.utcnow(with_timezone=True) == instant
        assert db.utcnow() == datetime(2015, 4, 30, 12, 0, 5)  # rows keep whole seconds
    finally:
        timeutils.clear_time_override()
    assert timeutils.utcnow().year >= 2026


def test_a_naive_override_is_taken_as_utc():
    timeutils.set_time_override(datetime(2015, 1, 1))
    try:
        assert timeutils.utcnow(with_timezone=True).tzinfo is UTC
    finally:
        timeutils.clear_time_override()


def test_the_override_stays_in_the_thread_that_set_it():
    import threading

    seen = {}
    frozen = threading.Event()
    looked = threading.Event()

    def other_thread() -> None:
        frozen.wait(10)
        seen["other"] = timeutils.utcnow()
        looked.set()

    thread = threading.Thread(target=other_thread)
    thread.start()
    timeutils.set_time_override(datetime(2015, 4, 30))
    try:
        frozen.set()
        looked.wait(10)
        assert timeutils.utcnow() == datetime(2015, 4, 30)
    finally:
        timeutils.clear_time_override()
        thread.join()
    assert seen["other"].year >= 2026  # a live request beside a re-run keeps the real clock
