"""Inquiry: the micro-learning library, inquiry cycles, school priorities and the CPD
record a teacher owns (docs/inquiry.md)."""

from inquiry.models.cycles import Evidence, Feedback, InquiryCycle
from inquiry.models.library import CurriculumArea, Module, ModuleCompletion, ModuleResource
from inquiry.models.priorities import SchoolPriority
from inquiry.models.record import RecordEntry, RecordTag

__all__ = [
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
