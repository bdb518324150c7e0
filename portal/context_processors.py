from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import access


def navigation(request) -> dict:
    """The menu for the user's rights (``portal.access``). Pure: it reads the user, never the
    database."""
    user = getattr(request, "user", None)
    if not access.is_tenant_user(user):
        return {"nav_items": [], "audience": {}}
    employee = access.is_employee(user)
    home = _("My trajectory") if employee else _("Dashboard")
    items = [(home, reverse("dashboards:home"))]
    if access.can_list_trajectories(user):
        items.append((_("Trajectories"), reverse("trajecten:list")))
        label = _("Employer") if access.is_employer_contact(user) else _("Employers")
        items.append((label, reverse("portal:employer_list")))
    if access.can_see_outcomes(user):
        items.append((_("Results"), reverse("kwaliteit:results")))
    if access.can_manage_agency(user):
        items += [
            (_("Agency overview"), reverse("dashboards:agency_overview")),
            (_("Billing"), reverse("dashboards:billing")),
            (_("Invoices"), reverse("facturen:list")),
            (_("Team"), reverse("portal:team")),
            (_("Settings"), reverse("portal:agency_settings")),
            (_("Action lists"), reverse("trajecten:action_lists")),
            (_("Hand-over"), reverse("overdracht:transfers")),
            (_("Audit trail"), reverse("portal:audit_log")),
        ]
    if employee:
        items.append((_("My applications"), reverse("sollicitaties:mine")))
    elif access.can_see_applications_overview(user):
        items.append((_("Applications"), reverse("sollicitaties:overview")))
    if access.can_manage_vacancies(user):
        items.append((_("Jobport"), reverse("sollicitaties:vacancies")))
    if access.is_employer_contact(user):
        items.append((_("Refer an employee"), reverse("trajecten:new")))
    if employee:
        items.append((_("Who viewed my file"), reverse("portal:my_file_access")))
    items.append((_("Calendar"), reverse("trajecten:calendar")))
    if not employee:
        items.append((_("API"), reverse("portal:api_tokens")))
    if access.can_manage_webhooks(user):
        items.append((_("Webhooks"), reverse("portal:webhooks")))
    return {
        "nav_items": items,
        "audience": access.audience(user),
        "unread_notices": _LazyCount(_unread_notices, user),
        "unread_messages": _LazyCount(_unread_messages, user),
        "has_messages": access.has_messages(user),
    }


def _unread_notices(user) -> int:
    from .models import Notification

    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def _unread_messages(user) -> int:
    from trajecten import messaging

    return messaging.unread_count(user)


class _LazyCount:
    """Counted only when a template shows it: one cheap query."""

    def __init__(self, count, user):
        self._counter, self.user = count, user

    def __str__(self) -> str:
        return str(self.count)

    @property
    def count(self) -> int:
        if not hasattr(self, "_count"):
            self._count = self._counter(self.user)
        return self._count
