"""Kernel pieces: state machines refuse illegal transitions with a stable code; UTC storage."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from ihospital.kernel import clock
from ihospital.kernel.db import UTCDateTime
from ihospital.kernel.errors import IllegalTransition
from ihospital.kernel.ids import new_id
from ihospital.kernel.statemachine import StateMachine

ORDER = StateMachine("order", {"created": {"paid", "cancelled"}, "paid": {"fulfilling", "refunded"}})


def test_legal_and_illegal_transitions() -> None:
    assert ORDER.check("created", "paid") == "paid"
    with pytest.raises(IllegalTransition) as err:
        ORDER.check("cancelled", "paid")
    assert err.value.code == "order.illegal_transition" and err.value.status == 409


def test_ids_are_unique_and_time_sortable() -> None:
    ids = [new_id() for _ in range(2000)]
    assert len(set(ids)) == 2000
    assert ids[0][14] == "7"  # version nibble of a UUIDv7


def test_clock_is_utc_and_movable() -> None:
    start = clock.now()
    assert start.utcoffset() == timedelta(0)
    clock.advance(timedelta(hours=2))
    assert clock.now() - start >= timedelta(hours=2)
    assert clock.format_local(datetime(2026, 1, 1, 0, 0, tzinfo=start.tzinfo)) == "2026-01-01 08:00"


def test_naive_datetimes_are_refused_at_the_column() -> None:
    with pytest.raises(ValueError):
        UTCDateTime().process_bind_param(datetime(2026, 1, 1), None)
