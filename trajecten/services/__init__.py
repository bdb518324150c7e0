"""Writes to the re-integration file: the one write path of pages, API, imports and tasks.

Every service takes keyword-only plain data and the actor, checks the actor's right
(``portal.access``) and every business rule itself, writes, audits and queues its side effects
on commit (``portal.writes`` describes the steps). One module per part of the file."""

from .closing import trajectory_close
from .configuration import action_list_save, prices_update
from .people import (
    employee_duplicate_keep_apart,
    employee_duplicate_merge,
    employee_find_or_create,
    employee_update,
    employees_import,
)
from .records import (
    action_list_apply,
    assignment_complete,
    calendar_feed_for,
    calendar_feed_renew,
    conversation_medical_flag_clear,
    record_save,
    search_profile_save,
    task_mark_done,
)
from .trajectories import (
    extension_add,
    member_remove,
    member_set,
    order_key,
    phase_change,
    referral_accept,
    referral_order,
    renewals_record,
    sickness_case_update,
    trajectory_refer,
    trajectory_start,
    trajectory_update,
)

__all__ = [
    "action_list_apply",
    "action_list_save",
    "assignment_complete",
    "calendar_feed_for",
    "calendar_feed_renew",
    "conversation_medical_flag_clear",
    "employee_duplicate_keep_apart",
    "employee_duplicate_merge",
    "employee_find_or_create",
    "employee_update",
    "employees_import",
    "extension_add",
    "member_remove",
    "member_set",
    "order_key",
    "phase_change",
    "prices_update",
    "record_save",
    "referral_accept",
    "referral_order",
    "renewals_record",
    "search_profile_save",
    "sickness_case_update",
    "task_mark_done",
    "trajectory_close",
    "trajectory_refer",
    "trajectory_start",
    "trajectory_update",
]
