"""Tenants and people: the agency (the tenant) and what it owns, users and employer contacts,
invitations, the audit trail, notices and API tokens. One module per aggregate; import them
from here."""

from .audit import AppendOnlyQuerySet, AuditEvent
from .base import ScopedQuerySet
from .history import RecordChange
from .invitations import Invitation
from .notifications import DigestSchedule, NoticePreference, Notification
from .people import EmployerContact, StandIn, User, UserManager
from .sms import SmsConsent, SmsMessage, mobile_validator
from .tenants import (
    Agency,
    Employer,
    LegalEntity,
    Phase,
    Product,
    TimeCategory,
    kvk_validator,
    payroll_tax_validator,
)
from .tokens import ApiToken
from .webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "Agency",
    "ApiToken",
    "AppendOnlyQuerySet",
    "AuditEvent",
    "DigestSchedule",
    "Employer",
    "EmployerContact",
    "Invitation",
    "LegalEntity",
    "NoticePreference",
    "Notification",
    "Phase",
    "Product",
    "RecordChange",
    "ScopedQuerySet",
    "SmsConsent",
    "SmsMessage",
    "StandIn",
    "TimeCategory",
    "User",
    "UserManager",
    "WebhookDelivery",
    "WebhookEndpoint",
    "kvk_validator",
    "mobile_validator",
    "payroll_tax_validator",
]
