"""Inquiry: the micro-learning library, inquiry cycles, school priorities and the CPD
record a teacher owns (docs/inquiry.md)."""

from inquiry.models.courses import (
    Attendance,
    Cohort,
    CohortMember,
    CohortUnit,
    Course,
    Unit,
    UnitModule,
)
from inquiry.models.credentials import Credential, SigningKey
from inquiry.models.cycles import Evidence, Feedback, InquiryCycle
from inquiry.models.library import CurriculumArea, Module, ModuleCompletion, ModuleResource
from inquiry.models.priorities import SchoolPriority
from inquiry.models.record import RecordEntry, RecordTag

__all__ = [
    "Attendance",
    "Cohort",
    "CohortMember",
    "CohortUnit",
    "Course",
    "Credential",
    "SigningKey",
    "Unit",
    "UnitModule",
    "CurriculumArea",
    "Evidence",
    "Feedback",
    "InquiryCycle",
    "Module",
    "ModuleCompletion",
    "ModuleResource",
    "RecordEntry",
    "RecordTag",
    "SchoolPriority",
]
