"""Practitioner credential checks (R-DOC-01, R-DOC-02, R-DOC-05, R-DOC-09)."""

from __future__ import annotations

from ihospital.identity.credentials import check_doctor, check_pharmacist

GOOD = dict(title="主治医师", qualification_no="1" * 15, practising_no="2" * 15, practice_category="临床",
            practice_scope="内科专业", practice_institution="示范市第一人民医院", years_independent=5,
            department_code="03.04")


def codes(**overrides: object) -> set[str]:
    return {p.code for p in check_doctor(**{**GOOD, **overrides})}  # type: ignore[arg-type]


def test_complete_doctor_passes() -> None:
    assert codes() == set()


def test_r_doc_01_missing_certificate_numbers_rejected() -> None:
    assert "identity.doctor_qualification_invalid" in codes(qualification_no="")
    assert "identity.doctor_practising_invalid" in codes(practising_no="12345")
    assert "identity.doctor_title_invalid" in codes(title="实习医生")


def test_r_doc_02_less_than_three_years_rejected() -> None:
    assert "identity.doctor_experience_insufficient" in codes(years_independent=2)
    assert "identity.doctor_experience_insufficient" not in codes(years_independent=3)


def test_r_doc_05_scope_must_match_department() -> None:
    assert "identity.doctor_scope_mismatch" in codes(practice_scope="外科专业")
    assert codes(department_code="07", practice_scope="儿科专业") == set()


def test_r_doc_09_pharmacist_title_experience_training() -> None:
    assert check_pharmacist(title="主管药师", years_independent=3, review_training=True) == []
    found = {p.rule for p in check_pharmacist(title="药士", years_independent=1, review_training=False)}
    assert found == {"R-DOC-09"}
    assert len(check_pharmacist(title="药士", years_independent=1, review_training=False)) == 3
