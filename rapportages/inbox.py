"""The in-app notices about reports, worded in the reader's language of today.

A notice keeps what it says (``message`` and ``params``: the report's kind, number and version,
the employee's name, a reason, a day), not the sentence. The notices page words each one in
the language the reader uses when they open it, so a user who switches to English or Polish
reads every notice, also the older ones, in that language. ``text`` keeps the sentence in the
reader's language at sending time: what the notice said, and what older notices without a
``message`` show.
"""

from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy

from portal import digests
from portal.models import Notification, User

from .models import Report

MESSAGES = {
    "approve": gettext_lazy("Approve a report: %(report)s (%(name)s)"),
    "sent_back": gettext_lazy("Report sent back: %(report)s (%(name)s): %(reason)s"),
    "final": gettext_lazy("Report ready: %(report)s (%(name)s)"),
    "respond": gettext_lazy("Read and respond: %(report)s (%(name)s), before %(day)s"),
    "reminder_soon": gettext_lazy("Report due on %(day)s: %(report)s (%(name)s)"),
    "reminder_overdue": gettext_lazy("Report overdue since %(day)s: %(report)s (%(name)s)"),
}


def send(
    *,
    report: Report,
    user: User,
    message: str,
    url: str,
    kind: str = "",
    email: tuple[str, dict] | None = None,
    **extra: str,
) -> Notification:
    """Tell ``user`` about ``report``: the in-app notice, and the email (``(template,
    context)``) as they chose for ``kind`` (``portal.digests.deliver``). ``extra`` holds plain
    strings; a day is passed as an ISO date (``day=``) and worded in the reader's language
    when shown."""
    params = {
        "kind": report.kind,
        "number": report.number,
        "version": report.version,
        "name": report.employee.full_name,
        **extra,
    }
    return digests.deliver(
        user=user, kind=kind, message=message, params=params, url=url, email=email
    )


def wording(notice: Notification) -> str:
    """The notice's sentence in the active language (the stored one when it has no message
    this module knows)."""
    template = MESSAGES.get(notice.message)
    p = notice.params or {}
    try:
        values = {
            "report": Report.name_of(kind=p["kind"], number=p["number"], version=p["version"]),
            "name": p["name"],
            "reason": p.get("reason", ""),
            "day": date_format(date.fromisoformat(p["day"]), "DATE_FORMAT") if "day" in p else "",
        }
    except (KeyError, TypeError, ValueError):
        return notice.text
    return str(template) % values if template is not None else notice.text
