"""Identity documents: GB 11643-1999 citizen ID numbers and the other types of R-ID-04.

Pure functions; the service layer turns their errors into problem+json.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"

# Province-level address codes of GB/T 2260 (11–65) plus 81/82/83 for 港澳台 residence permits.
PROVINCES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
})
HMT_PREFIXES = ("810000", "820000", "830000")

DOC_TYPES = {
    "cn_id": "居民身份证",
    "hmt_residence": "港澳台居民居住证",
    "foreign_permanent": "外国人永久居留身份证",
    "passport": "护照",
    "hk_macau_permit": "港澳居民来往内地通行证",
    "taiwan_permit": "台湾居民来往大陆通行证",
}


class DocumentError(ValueError):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def check_char(first17: str) -> str:
    return CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def _birth_date(number: str, today: date) -> date:
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise DocumentError("identity.id_birth_date_invalid", "证件号码中的出生日期不是有效日期") from exc
    if born > today:
        raise DocumentError("identity.id_birth_date_future", "证件号码中的出生日期晚于今天")
    if born.year < 1800:
        raise DocumentError("identity.id_birth_date_invalid", "证件号码中的出生日期不合理")
    return born


@dataclass(frozen=True)
class ParsedDocument:
    doc_type: str
    number: str
    birth_date: date | None = None
    sex: str | None = None


def parse_gb11643(raw: str, *, today: date, doc_type: str = "cn_id") -> ParsedDocument:
    """Validate an 18-character number under GB 11643-1999 (R-ID-02) and read birth date and sex."""
    number = raw.strip().upper()
    if len(number) != 18 or not number[:17].isdigit() or number[17] not in "0123456789X":
        raise DocumentError("identity.id_format", "身份证号码应为18位，前17位为数字，末位为数字或X")
    if doc_type == "cn_id" and number[:2] not in PROVINCES:
        raise DocumentError("identity.id_region", "身份证号码的地址码无效")
    if doc_type == "hmt_residence" and not number.startswith(HMT_PREFIXES):
        raise DocumentError("identity.id_region", "港澳台居民居住证号码应以810000、820000或830000开头")
    if doc_type == "foreign_permanent" and not number.startswith("9"):
        raise DocumentError("identity.id_format", "外国人永久居留身份证号码应以9开头")
    if check_char(number[:17]) != number[17]:
        raise DocumentError("identity.id_checksum", "身份证号码校验位错误，请核对后重新输入")
    born = _birth_date(number, today)
    sex = "male" if int(number[16]) % 2 == 1 else "female"
    return ParsedDocument(doc_type, number, born, sex)


_PASSPORT = re.compile(r"^[A-Z0-9]{5,17}$")
_HK_MACAU = re.compile(r"^[HM]\d{8}(\d{2})?$")
_TAIWAN = re.compile(r"^\d{8}(\d{2})?$")


def parse_document(doc_type: str, raw: str, *, today: date) -> ParsedDocument:
    """Validate any supported document (R-ID-04): the checksum applies only to GB 11643 numbers."""
    if doc_type not in DOC_TYPES:
        raise DocumentError("identity.doc_type_unknown", "不支持的证件类型")
    if doc_type in ("cn_id", "hmt_residence", "foreign_permanent"):
        return parse_gb11643(raw, today=today, doc_type=doc_type)
    number = raw.strip().upper().replace(" ", "")
    pattern = {"passport": _PASSPORT, "hk_macau_permit": _HK_MACAU, "taiwan_permit": _TAIWAN}[doc_type]
    if not pattern.match(number):
        raise DocumentError("identity.doc_format", f"{DOC_TYPES[doc_type]}号码格式不正确")
    return ParsedDocument(doc_type, number)


_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalize_phone(raw: str) -> str:
    """Mainland mobile numbers, with an optional +86 prefix and separators."""
    phone = re.sub(r"[\s\-]", "", raw or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("0086"):
        phone = phone[4:]
    if not _MOBILE.match(phone):
        raise DocumentError("identity.phone_invalid", "请输入有效的11位中国大陆手机号码")
    return phone


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
