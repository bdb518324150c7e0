from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .constants import Role


def navigation(request) -> dict:
    """The menu for the user's role. Pure: it reads the user, never the database."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.role:
        return {"nav_items": []}
    home = _("My trajectory") if user.role == Role.EMPLOYEE else _("Dashboard")
    items = [(home, reverse("portal:home"))]
    if user.role != Role.EMPLOYEE:
        items.append((_("Trajectories"), reverse("trajecten:list")))
    if user.role in (Role.AGENCY_ADMIN, Role.SPECIALIST, Role.EMPLOYER_CONTACT):
        label = _("Employer") if user.role == Role.EMPLOYER_CONTACT else _("Employers")
        items.append((label, reverse("portal:employer_list")))
    if user.role == Role.AGENCY_ADMIN:
        items += [
            (_("Agency overview"), reverse("portal:agency_overview")),
            (_("Billing"), reverse("portal:billing")),
            (_("Team"), reverse("portal:team")),
            (_("Settings"), reverse("portal:agency_settings")),
            (_("Action lists"), reverse("trajecten:action_lists")),
            (_("Audit trail"), reverse("portal:audit_log")),
        ]
    if user.role == Role.EMPLOYEE:
        items.append((_("My applications"), reverse("sollicitaties:mine")))
    else:
        items.append((_("Applications"), reverse("sollicitaties:overview")))
    if user.role in (Role.AGENCY_ADMIN, Role.SPECIALIST):
        items.append((_("Jobport"), reverse("sollicitaties:vacancies")))
    if user.role == Role.EMPLOYER_CONTACT:
        items.append((_("Refer an employee"), reverse("trajecten:new")))
    if user.role == Role.EMPLOYEE:
        items.append((_("Who viewed my file"), reverse("portal:my_file_access")))
    items.append((_("Calendar"), reverse("trajecten:calendar")))
    if user.role != Role.EMPLOYEE:
        items.append((_("API"), reverse("portal:api_tokens")))
    return {
        "nav_items": items,
        "unread_notices": _LazyCount(_unread_notices, user),
        "unread_messages": _LazyCount(_unread_messages, user),
        "has_messages": user.role != Role.EMPLOYEE,
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
