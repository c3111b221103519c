"""The permission rules as a table: role × action × relationship → allow/deny, both directions (R-AUD-05)."""

from __future__ import annotations

import itertools

import pytest

from ihospital.security import permissions as p

ALLOWED = {
    ("patient", p.PROFILE_READ, "self_or_family"), ("patient", p.PROFILE_WRITE, "self_or_family"),
    ("patient", p.CHART_READ, "self_or_family"), ("patient", p.CONSENT_MANAGE, "self_or_family"),
    ("doctor", p.PROFILE_READ, "treating"), ("doctor", p.CHART_READ, "treating"), ("doctor", p.CHART_WRITE, "treating"),
    ("pharmacist", p.PHARMACY_REVIEW, "none"), ("pharmacist", p.PHARMACY_REVIEW, "treating"),
    ("pharmacist", p.PHARMACY_REVIEW, "self_or_family"),
    ("admin", p.ADMIN_MANAGE, "none"), ("admin", p.SUPERVISION_READ, "none"), ("regulator", p.SUPERVISION_READ, "none"),
}
ROLES = ["patient", "doctor", "pharmacist", "admin", "regulator"]
ACTIONS = [p.PROFILE_READ, p.PROFILE_WRITE, p.CHART_READ, p.CHART_WRITE, p.CONSENT_MANAGE, p.SUPERVISION_READ,
           p.ADMIN_MANAGE, p.PHARMACY_REVIEW]
RELS = ["self_or_family", "treating", "none"]


@pytest.mark.parametrize(("role", "action", "rel"), list(itertools.product(ROLES, ACTIONS, RELS)))
def test_r_aud_05_permission_table(role: str, action: str, rel: str) -> None:
    assert p.decide(role, action, rel) is ((role, action, rel) in ALLOWED)  # type: ignore[arg-type]


def test_r_aud_05_regulators_never_read_charts() -> None:
    assert not any(p.decide("regulator", a, r) for a in (p.CHART_READ, p.PROFILE_READ) for r in RELS)  # type: ignore[arg-type]


def test_r_aud_05_doctor_without_care_relationship_is_denied() -> None:
    assert not p.decide("doctor", p.CHART_READ, "none")
