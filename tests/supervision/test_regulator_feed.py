"""The regulator feed: outbox in the same transaction, signed delivery, retries, order per consultation,
nothing lost when the receiver is down and comes back (R-REG-01, R-REG-03)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa

from ihospital.kernel import clock
from ihospital.kernel.db import Database
from ihospital.kernel.ids import new_id
from ihospital.supervision import outbox
from ihospital.supervision.models import OutboxEvent, ReceivedFeedEvent
from ihospital.supervision.relay import relay_once
from ihospital.supervision.signing import canonical_body, sign


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver:
    """The sandbox regulator as its own process, so it can really go down and come back."""

    def __init__(self, database_url: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/sandbox/regulator/events"
        self.env = {**os.environ, "IHOSPITAL_DATABASE_URL": database_url}
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory",
                                      "ihospital.supervision.receiver:receiver_app", "--port", str(self.port),
                                      "--log-level", "warning"], env=self.env)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("receiver did not start")

    def stop(self) -> None:
        if self.proc:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None


@pytest.fixture
def receiver(database_url: str):  # noqa: ANN201
    r = Receiver(database_url)
    yield r
    r.stop()


async def _emit(db: Database, stream: str, n: int) -> list[str]:
    ids = []
    for i in range(n):
        async with db.transaction() as s:
            ids.append(outbox.emit(s, "consultation.started" if i == 0 else "record.signed", consultation_id=stream,
                                   payload={"step": i}))
    return ids


async def _received(db: Database, stream: str) -> list[ReceivedFeedEvent]:
    async with db.transaction() as s:
        return list((await s.execute(sa.select(ReceivedFeedEvent).where(ReceivedFeedEvent.stream == stream)
                                     .order_by(ReceivedFeedEvent.received_at, ReceivedFeedEvent.stream_seq))).scalars())


async def _drain(db: Database, url: str) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(50):
            result = await relay_once(db, client, url=url)
            if result.delivered == 0 and result.failed == 0:
                return


async def test_r_reg_01_event_is_written_in_the_same_transaction(db: Database) -> None:
    stream = new_id()
    with pytest.raises(RuntimeError):
        async with db.transaction() as s:
            outbox.emit(s, "consultation.started", consultation_id=stream)
            raise RuntimeError("use case failed")
    async with db.transaction() as s:
        assert await s.scalar(sa.select(sa.func.count()).select_from(OutboxEvent).where(
            OutboxEvent.stream == stream)) == 0
    with pytest.raises(ValueError):
        async with db.transaction() as s:
            outbox.emit(s, "not.reportable")


async def test_r_reg_03_payload_never_carries_phones_or_id_numbers(db: Database) -> None:
    stream = new_id()
    async with db.transaction() as s:
        outbox.emit(s, "record.signed", consultation_id=stream, payload={"note": "患者13812345678"})
    async with db.transaction() as s:
        event = await s.scalar(sa.select(OutboxEvent).where(OutboxEvent.stream == stream))
    assert event.payload["note"] == "患者138****5678" and event.payload["consultation_id"] == stream


async def test_r_reg_01_receiver_down_then_back_every_event_once_in_order(db: Database, receiver: Receiver) -> None:
    streams = [new_id(), new_id()]
    expected = {s: await _emit(db, s, 4) for s in streams}
    # The regulator is down: every attempt fails and is scheduled again with back-off; nothing is lost.
    async with httpx.AsyncClient() as client:
        result = await relay_once(db, client, url=receiver.url)
    assert result.delivered == 0 and result.failed >= 2
    async with db.transaction() as s:
        heads = list((await s.execute(sa.select(OutboxEvent).where(OutboxEvent.stream.in_(streams))
                                      .order_by(OutboxEvent.seq))).scalars())
    assert all(e.delivered_at is None for e in heads)
    assert {e.attempts for e in heads if e.id in (expected[streams[0]][0], expected[streams[1]][0])} == {1}
    assert all(e.attempts == 0 for e in heads if e.id not in (expected[streams[0]][0], expected[streams[1]][0]))
    # Back: after the back-off the relay delivers everything, once, in order per stream.
    receiver.start()
    clock.advance(timedelta(minutes=10))
    await _drain(db, receiver.url)
    for stream in streams:
        got = await _received(db, stream)
        assert [g.event_id for g in got] == expected[stream]
        assert [g.stream_seq for g in got] == sorted(g.stream_seq for g in got)
        assert all(g.deliveries == 1 for g in got)
    # The receiver restarts in the middle of more traffic: still nothing lost or doubled.
    more = await _emit(db, streams[0], 3)
    receiver.stop()
    receiver.start()
    await _drain(db, receiver.url)
    got = await _received(db, streams[0])
    assert [g.event_id for g in got] == expected[streams[0]] + more


async def test_receiver_rejects_bad_signatures_and_acks_duplicates(client: httpx.AsyncClient) -> None:
    from ihospital.kernel.settings import get_settings

    event = {"event_id": new_id(), "event_type": "record.signed", "stream": "s", "seq": 1,
             "occurred_at": clock.now().isoformat(), "payload": {}}
    body = canonical_body(event)
    ts = clock.now().isoformat()
    r = await client.post("/sandbox/regulator/events", content=body,
                          headers={"X-Ihospital-Timestamp": ts, "X-Ihospital-Signature": "0" * 64})
    assert r.status_code == 401
    good = {"X-Ihospital-Timestamp": ts, "X-Ihospital-Signature": sign(get_settings().regulator_feed_secret, ts, body)}
    r1 = await client.post("/sandbox/regulator/events", content=body, headers=good)
    r2 = await client.post("/sandbox/regulator/events", content=body, headers=good)
    assert r1.status_code == 200 and r2.json()["duplicate"] is True
