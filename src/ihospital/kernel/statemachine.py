"""Explicit state machines: one table of allowed transitions per aggregate."""

from __future__ import annotations

from collections.abc import Mapping

from ihospital.kernel.errors import IllegalTransition


class StateMachine:
    def __init__(self, name: str, transitions: Mapping[str, set[str]]) -> None:
        self.name = name
        self.transitions = {k: frozenset(v) for k, v in transitions.items()}

    def can(self, current: str, target: str) -> bool:
        return target in self.transitions.get(current, frozenset())

    def check(self, current: str, target: str) -> str:
        if not self.can(current, target):
            raise IllegalTransition(
                f"{self.name}.illegal_transition",
                f"当前状态“{current}”不能变更为“{target}”",
                extra={"from": current, "to": target},
            )
        return target
