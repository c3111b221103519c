"""GB 11643-1999 ID validation (R-ID-02) and the other documents of R-ID-04."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ihospital.identity.documents import (
    DocumentError,
    check_char,
    normalize_phone,
    parse_document,
    parse_gb11643,
)

TODAY = date(2026, 11, 24)
VECTORS = ["11010519491231002X", "440524188001010014", "34052419800101001X", "513101198201130014"]


@pytest.mark.parametrize("number", VECTORS)
def test_r_id_02_published_vectors_pass(number: str) -> None:
    parsed = parse_gb11643(number, today=TODAY)
    assert parsed.number == number
    assert parsed.birth_date == date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def test_r_id_02_sex_comes_from_position_17() -> None:
    assert parse_gb11643("11010519491231002X", today=TODAY).sex == "female"  # 2 is even
    assert parse_gb11643("513101198201130014", today=TODAY).sex == "male"  # 1 is odd


def test_r_id_02_lowercase_x_is_accepted() -> None:
    assert parse_gb11643("11010519491231002x", today=TODAY).number == "11010519491231002X"


@given(st.sampled_from(VECTORS), st.integers(0, 17), st.sampled_from("0123456789X"))
def test_r_id_02_any_single_character_change_fails(number: str, pos: int, char: str) -> None:
    if number[pos] == char or (char == "X" and pos < 17):
        return
    changed = number[:pos] + char + number[pos + 1:]
    with pytest.raises(DocumentError):
        parse_gb11643(changed, today=TODAY)


@pytest.mark.parametrize(("number", "code"), [
    ("11010519491231002", "identity.id_format"),
    ("11010519491231002XX", "identity.id_format"),
    ("A1010519491231002X", "identity.id_format"),
    ("110105194912310021", "identity.id_checksum"),
    ("99010519491231002X", "identity.id_region"),
])
def test_r_id_02_malformed_numbers_are_rejected_with_codes(number: str, code: str) -> None:
    with pytest.raises(DocumentError) as err:
        parse_gb11643(number, today=TODAY)
    assert err.value.code == code


def _with_check(first17: str) -> str:
    return first17 + check_char(first17)


def test_r_id_02_impossible_and_future_birth_dates_are_rejected() -> None:
    with pytest.raises(DocumentError) as err:
        parse_gb11643(_with_check("11010519990230001"), today=TODAY)  # 30 February
    assert err.value.code == "identity.id_birth_date_invalid"
    with pytest.raises(DocumentError) as err:
        parse_gb11643(_with_check("11010520301231001"), today=TODAY)
    assert err.value.code == "identity.id_birth_date_future"


def test_r_id_04_residence_permits_use_the_same_check() -> None:
    hmt = _with_check("81000019900101001")
    assert parse_document("hmt_residence", hmt, today=TODAY).birth_date == date(1990, 1, 1)
    with pytest.raises(DocumentError):
        parse_document("hmt_residence", _with_check("11010519900101001"), today=TODAY)
    foreign = _with_check("93000019800101001")
    assert parse_document("foreign_permanent", foreign, today=TODAY).sex == "male"


@pytest.mark.parametrize(("doc_type", "number", "ok"), [
    ("passport", "E12345678", True), ("passport", "E1", False),
    ("hk_macau_permit", "H12345678", True), ("hk_macau_permit", "X12345678", False),
    ("taiwan_permit", "12345678", True), ("taiwan_permit", "1234", False),
])
def test_r_id_04_other_documents_skip_the_checksum(doc_type: str, number: str, ok: bool) -> None:
    if ok:
        assert parse_document(doc_type, number, today=TODAY).birth_date is None
    else:
        with pytest.raises(DocumentError):
            parse_document(doc_type, number, today=TODAY)


@pytest.mark.parametrize(("raw", "expected"), [("13812345678", "13812345678"), ("+86 138-1234-5678", "13812345678"),
                                                ("008613812345678", "13812345678")])
def test_phone_numbers_are_normalised(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12812345678", "1381234567", "138123456789", "abc", ""])
def test_bad_phone_numbers_are_rejected(raw: str) -> None:
    with pytest.raises(DocumentError):
        normalize_phone(raw)
