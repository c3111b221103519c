"""The regulator feed outbox: reportable events written in the same transaction as the change (R-REG-01)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ihospital.kernel.db import Base, UTCDateTime


class OutboxEvent(Base):
    __tablename__ = "outbox_events"

    seq: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
                                     autoincrement=True)
    id: Mapped[str] = mapped_column(sa.String(36), unique=True, nullable=False)
    event_type: Mapped[str] = mapped_column(sa.String(48), nullable=False)
    # Events of one consultation are delivered in order; others use their own id as the stream.
    stream: Mapped[str] = mapped_column(sa.String(64), nullable=False, index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    last_error: Mapped[str | None] = mapped_column(sa.Text)


class ReceivedFeedEvent(Base):
    """What the sandbox regulator received (for tests and the demo's regulator page)."""

    __tablename__ = "sandbox_regulator_events"

    event_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    event_type: Mapped[str] = mapped_column(sa.String(48), nullable=False)
    stream: Mapped[str] = mapped_column(sa.String(64), nullable=False, index=True)
    stream_seq: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    deliveries: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
