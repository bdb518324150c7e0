"""The re-integration file, one module per aggregate."""

from .base import AgencyFromParent, FileRecord, ScopedQuerySet
from .exports import AccessExport, TransferImport
from .messages import Message, ThreadRead
from .people import Employee, Employment, Trajectory, TrajectoryMember
from .records import (
    Appointment,
    Assignment,
    ConversationReport,
    Document,
    MedicalNote,
    PersonProfile,
    Placement,
    SearchFunction,
    SearchProfile,
    TimeEntry,
    Training,
    WorkCapacity,
)
from .sickness import Extension, SicknessCase
from .trajectory import (
    ActionTemplate,
    ActionTemplateItem,
    CalendarFeed,
    PhaseChange,
    Renewal,
    Task,
)

__all__ = [
    "AccessExport",
    "ActionTemplate",
    "ActionTemplateItem",
    "AgencyFromParent",
    "Appointment",
    "Assignment",
    "CalendarFeed",
    "ConversationReport",
    "Document",
    "Employee",
    "Employment",
    "Extension",
    "FileRecord",
    "MedicalNote",
    "Message",
    "PersonProfile",
    "PhaseChange",
    "Placement",
    "Renewal",
    "ScopedQuerySet",
    "SearchFunction",
    "SearchProfile",
    "SicknessCase",
    "Task",
    "ThreadRead",
    "TimeEntry",
    "Training",
    "Trajectory",
    "TrajectoryMember",
    "TransferImport",
    "WorkCapacity",
]
