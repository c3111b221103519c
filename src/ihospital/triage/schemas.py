"""Input and output shapes of the triage API."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class TriageIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    text: str = Field(min_length=2, max_length=2000)
    age: float = Field(ge=0, le=120)
    sex: Literal["male", "female"]
    pregnant: bool | None = None
    patient_id: str | None = None


class TriageOut(BaseModel):
    session_id: str
    engine_version: str
    urgency: Literal["emergency", "urgent", "routine"]
    red_flags: list[dict[str, Any]]
    symptoms: list[dict[str, Any]]
    departments: list[dict[str, Any]]
    questions: list[str]
    ai_generated: bool = True  # R-AI-04: explicit label
    label: str = "AI导诊建议，仅供参考，不构成诊断"
    booking_allowed: bool
    emergency_advice: str | None = None
