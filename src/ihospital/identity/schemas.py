"""Input and output shapes of the identity domain."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Sex = Literal["male", "female"]
Relationship = Literal["self", "child", "parent", "spouse", "sibling", "grandparent", "grandchild", "other"]
ConsentKind = Literal["health_data", "online_care"]


class PatientIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    real_name: str = Field(min_length=2, max_length=30)
    doc_type: Literal["cn_id", "hmt_residence", "foreign_permanent", "passport", "hk_macau_permit",
                      "taiwan_permit"] = "cn_id"
    doc_number: str = Field(min_length=5, max_length=30)
    sex: Sex | None = None
    birth_date: date | None = None
    phone: str | None = None
    relationship: Relationship = "self"
    guardian_consent: bool = False  # R-PIPL-04: required when the patient is under 14


class PatientOut(BaseModel):
    id: str
    real_name: str
    sex: Sex
    birth_date: date
    age: int
    doc_type: str
    doc_number_masked: str
    phone_masked: str
    relationship: str
    verification_status: str
    verified_at: datetime | None


class ConsentIn(BaseModel):
    kind: ConsentKind


class ConsentOut(BaseModel):
    id: str
    patient_id: str
    kind: str
    version: str
    granted_as: str
    granted_at: datetime
    withdrawn_at: datetime | None


class DepartmentIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    code: str = Field(pattern=r"^\d{2}(\.\d{2})?$")
    name: str = Field(min_length=2, max_length=40)
    description: str = ""


class PractitionerIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    kind: Literal["doctor", "pharmacist"]
    phone: str
    password: str
    name: str = Field(min_length=2, max_length=30)
    sex: Sex
    title: str = Field(min_length=2, max_length=20)
    qualification_no: str = ""
    practising_no: str = ""
    practice_category: str = ""
    practice_scope: str = ""
    practice_institution: str = ""
    years_independent: int = Field(ge=0, le=70)
    department_code: str | None = None
    employer_consent: bool = False
    multi_site_filed: bool = False
    review_training: bool = False
    bio: str = ""


class PractitionerOut(BaseModel):
    id: str
    account_id: str
    kind: str
    name: str
    title: str
    department_code: str | None
    practising_no: str
    practice_category: str
    practice_scope: str
    practice_institution: str
    years_independent: int
    status: str
    rejection_reason: str | None = None
