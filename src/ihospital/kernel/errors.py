"""Domain errors rendered as RFC 9457 problem+json with a stable ``code`` and a Chinese ``detail``."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400
    title = "Bad Request"

    def __init__(self, code: str, detail: str, *, rule: str | None = None, status: int | None = None,
                 extra: dict[str, Any] | None = None) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail
        self.rule = rule
        if status is not None:
            self.status = status
        self.extra = extra or {}
        # Audit events that must survive the rollback this error causes (e.g. an access denial).
        self.deferred_audit: list[dict[str, Any]] = []

    def problem(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"https://ihospital.example/problems/{self.code}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
        }
        if self.rule:
            body["rule"] = self.rule
        if instance:
            body["instance"] = instance
        body.update(self.extra)
        return body


class ValidationFailed(DomainError):
    status = 422
    title = "Unprocessable Content"


class NotAuthenticated(DomainError):
    status = 401
    title = "Unauthorized"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"


class NotFound(DomainError):
    status = 404
    title = "Not Found"


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class TooManyRequests(DomainError):
    status = 429
    title = "Too Many Requests"


class IllegalTransition(Conflict):
    """A state machine refused a transition (architecture §4: the API answers 409)."""
