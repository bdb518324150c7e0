"""Tenants and people: the agency (the tenant) and what it owns, users and employer contacts,
invitations, the audit trail, notices and API tokens. One module per aggregate; import them
from here."""

from .audit import AppendOnlyQuerySet, AuditEvent
from .base import ScopedQuerySet
from .history import RecordChange
from .invitations import Invitation
from .notifications import Notification
from .people import EmployerContact, StandIn, User, UserManager
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
    "Employer",
    "EmployerContact",
    "Invitation",
    "LegalEntity",
    "Notification",
    "Phase",
    "Product",
    "RecordChange",
    "ScopedQuerySet",
    "StandIn",
    "TimeCategory",
    "User",
    "UserManager",
    "WebhookDelivery",
    "WebhookEndpoint",
    "kvk_validator",
    "payroll_tax_validator",
]
