"""The consultation state machine (architecture §4) — the one place to change it."""

from __future__ import annotations

from ihospital.kernel.statemachine import StateMachine

PENDING_PAYMENT = "pending_payment"
WAITING = "waiting"
IN_PROGRESS = "in_progress"
COMPLETED = "completed"
CANCELLED = "cancelled"
REFUNDED = "refunded"
TERMINATED = "terminated"  # ended by the doctor as unsuitable for online care (R-SCOPE-04)

CONSULTATION = StateMachine("consultation", {
    PENDING_PAYMENT: {WAITING, CANCELLED},
    WAITING: {IN_PROGRESS, REFUNDED, CANCELLED},
    IN_PROGRESS: {COMPLETED, TERMINATED},
})
