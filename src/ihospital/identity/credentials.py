"""Pure checks of practitioner credentials (R-DOC-01, R-DOC-02, R-DOC-05, R-DOC-09, R-SCOPE-07)."""

from __future__ import annotations

import re
from dataclasses import dataclass

DOCTOR_TITLES = ("住院医师", "主治医师", "副主任医师", "主任医师")
PHARMACIST_TITLES = ("药师", "主管药师", "副主任药师", "主任药师")  # 药士 may not review (R-DOC-09/10)
PRACTICE_CATEGORIES = ("临床", "中医", "口腔", "公共卫生")

# 执业范围 that covers each 诊疗科目 (first two digits of the department code), per the
# 《关于医师执业注册中执业范围的暂行规定》 list of clinical practice scopes.
SCOPE_BY_DEPARTMENT = {
    "03": "内科专业", "04": "外科专业", "05": "妇产科专业", "06": "妇产科专业", "07": "儿科专业",
    "08": "外科专业", "09": "儿科专业", "10": "眼耳鼻咽喉科专业", "11": "眼耳鼻咽喉科专业",
    "12": "口腔专业", "13": "皮肤病与性病专业", "15": "精神卫生专业", "16": "内科专业", "17": "内科专业",
    "19": "内科专业", "20": "急救医学专业", "21": "康复医学专业", "26": "内科专业", "50": "中医专业",
}

_QUAL = re.compile(r"^\d{15}$|^\d{27}$")  # 医师资格证书编码
_PRACT = re.compile(r"^\d{15}$")  # 医师执业证书编码


@dataclass(frozen=True)
class CredentialProblem:
    code: str
    detail: str
    rule: str


def check_doctor(*, title: str, qualification_no: str, practising_no: str, practice_category: str,
                 practice_scope: str, practice_institution: str, years_independent: int,
                 department_code: str | None) -> list[CredentialProblem]:
    problems: list[CredentialProblem] = []
    if not _QUAL.match(qualification_no):
        problems.append(CredentialProblem("identity.doctor_qualification_invalid",
                                          "医师资格证书编码应为15位或27位数字", "R-DOC-01"))
    if not _PRACT.match(practising_no):
        problems.append(CredentialProblem("identity.doctor_practising_invalid", "医师执业证书编码应为15位数字",
                                          "R-DOC-01"))
    if title not in DOCTOR_TITLES:
        problems.append(CredentialProblem("identity.doctor_title_invalid", "职称应为住院医师、主治医师、副主任医师或主任医师",
                                          "R-DOC-01"))
    if practice_category not in PRACTICE_CATEGORIES:
        problems.append(CredentialProblem("identity.doctor_category_invalid", "执业类别无效", "R-DOC-01"))
    if not practice_institution:
        problems.append(CredentialProblem("identity.doctor_institution_missing", "请填写执业机构", "R-DOC-01"))
    if years_independent < 3:
        problems.append(CredentialProblem("identity.doctor_experience_insufficient",
                                          "医师须具有3年以上独立临床工作经验", "R-DOC-02"))
    if not department_code:
        problems.append(CredentialProblem("identity.doctor_department_missing", "请选择注册科室", "R-DOC-05"))
    else:
        expected = SCOPE_BY_DEPARTMENT.get(department_code[:2])
        if expected is None or expected != practice_scope:
            problems.append(CredentialProblem("identity.doctor_scope_mismatch",
                                              f"执业范围“{practice_scope or '未填写'}”与科室不符（应为{expected or '该科室对应范围'}）",
                                              "R-DOC-05"))
    return problems


def check_pharmacist(*, title: str, years_independent: int, review_training: bool) -> list[CredentialProblem]:
    problems: list[CredentialProblem] = []
    if title not in PHARMACIST_TITLES:
        problems.append(CredentialProblem("identity.pharmacist_title_invalid", "审方药师须具有药师及以上职称", "R-DOC-09"))
    if years_independent < 3:
        problems.append(CredentialProblem("identity.pharmacist_experience_insufficient",
                                          "审方药师须具有3年以上门急诊或病区处方调剂经验", "R-DOC-09"))
    if not review_training:
        problems.append(CredentialProblem("identity.pharmacist_training_missing", "审方药师须通过处方审核培训", "R-DOC-09"))
    return problems
