"""The RIV check as a viewer reads it: the same findings for everyone who may see the check
(``access.can_see_riv_check``), each with its evidence as far as the viewer may follow it (a
training's name is agency-only: employers do not see trainings) and its links resolved to
pages the viewer can open. The file's tab, the API and the UWV file's checklist read this."""

from dataclasses import dataclass
from datetime import date

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from portal import access
from trajecten import wvp

from . import riv_check, riv_facts
from .constants import ValidReason
from .models import RivException

QUESTION_LABELS = {
    riv_check.Question.DOCUMENTS: _("1. Are the documents there?"),
    riv_check.Question.EFFORTS: _("2–3. Were the efforts sufficient?"),
}
SEVERITY_LABELS = {
    riv_check.Severity.REJECT: _("UWV would reject"),
    riv_check.Severity.QUESTION: _("UWV would ask"),
}


@dataclass
class Panel:
    result: riv_check.Result
    groups: list[dict]
    excepted: list[dict]


def _tabs_for(user) -> set[str]:
    from trajecten.selectors import tabs_for

    return set(tabs_for(user))


def _url(link, *, trajectory, tabs) -> str:
    """The file's tab that holds the evidence, where the viewer has that tab."""
    if not link:
        return ""
    _kind, tab = link
    if tab not in tabs:
        return ""
    return f"{reverse('trajecten:file', args=[trajectory.uuid])}?tab={tab}"


def finding_dict(f: riv_check.Finding, *, user, trajectory, tabs, agency: bool) -> dict:
    return {
        "rule": f.rule,
        "subject": f.subject,
        "code": f.code,
        "question": str(f.question),
        "severity": str(f.severity),
        "severity_label": str(SEVERITY_LABELS[f.severity]),
        "title": f.title,
        "evidence": [
            {"text": e.text, "url": _url(e.link, trajectory=trajectory, tabs=tabs)}
            for e in f.evidence
            if agency or not e.agency_only
        ],
        "repair": f.repair,
        "repair_by": f.repair_by,
        "source": f.source,
        "exception": {
            "uuid": f.exception.uuid,
            "reason_kind": f.exception.reason_kind,
            "reason_kind_label": str(ValidReason(f.exception.reason_kind).label),
            "reason": f.exception.reason,
            "signed_by": f.exception.signed_by,
            "signed_on": f.exception.signed_on,
        }
        if f.exception
        else None,
    }


def panel(*, user, trajectory, on: date) -> Panel | None:
    """The check of ``trajectory`` for ``user`` as of ``on`` (``None`` when they may not see
    it): the open findings grouped by UWV's question, then the ones with a signed-off reason."""
    if not access.can_see_riv_check(user, trajectory):
        return None
    result = riv_facts.result(user=user, trajectory=trajectory, on=on)
    if result is None:
        return None
    return for_result(result, user=user, trajectory=trajectory)


def for_result(result: riv_check.Result, *, user, trajectory, agency: bool | None = None) -> Panel:
    """``agency``: show agency-only evidence (default: when ``user`` is agency staff; the UWV
    file, which the employer hands to UWV, never does)."""
    tabs = _tabs_for(user)
    agency = access.is_agency_staff(user) if agency is None else agency

    def rows(findings):
        return [
            finding_dict(f, user=user, trajectory=trajectory, tabs=tabs, agency=agency)
            for f in findings
        ]

    return Panel(
        result=result,
        groups=[
            {"question": q, "label": QUESTION_LABELS[q], "findings": rows(result.by_question(q))}
            for q in riv_check.Question
        ],
        excepted=rows(result.excepted),
    )


def summary(result: riv_check.Result) -> str:
    """One line: how many findings UWV would reject the file for, ask about, and the reasons
    signed off."""
    if result.recovered:
        return gettext("The employee has recovered: UWV tests no re-integratieverslag.")
    if not result.findings:
        return gettext("Nothing UWV would reject or ask about as of %(date)s.") % {
            "date": date_format(result.on, "DATE_FORMAT")
        }
    parts = [
        ngettext("%(n)s finding UWV would reject", "%(n)s findings UWV would reject", n) % {"n": n}
        for n in [len(result.rejects)]
        if n
    ]
    parts += [
        ngettext("%(n)s question UWV would ask", "%(n)s questions UWV would ask", n) % {"n": n}
        for n in [len(result.questions)]
        if n
    ]
    parts += [
        ngettext("%(n)s reason signed off", "%(n)s reasons signed off", n) % {"n": n}
        for n in [len(result.excepted)]
        if n
    ]
    return ", ".join(parts) + "."


def add_tab() -> None:
    """The file's "RIV-toets vooraf" tab (``trajecten.file_parts``), for agency staff and
    employer contacts."""
    from trajecten import file_parts

    file_parts.add_tab(
        file_parts.ExtraTab(
            "riv",
            _("RIV check"),
            "rapportages/riv_tab.html",
            tab_context,
            visible=access.sees_riv_checks,
        )
    )


def tab_context(*, user, trajectory, today, params=None) -> dict:
    found = panel(user=user, trajectory=trajectory, on=today)
    return {
        "riv": found,
        "riv_summary": summary(found.result) if found else "",
        "can_sign_riv_exception": access.can_sign_riv_exception(user, trajectory),
        "today": today,
    }


#: The clock's signals about a late 2e spoor (``trajecten.wvp``).
LATE_START_SIGNALS = frozenset(
    {"second_track_not_started_by_week_58", "second_track_started_after_week_52"}
)


def late_start_signals(*, user, trajectory, signals: list) -> list:
    """The file's WvP clock (``trajecten.file_parts``): once the valid reason for the late start
    is signed off in the RIV check, its alarm becomes a note that says so (for whoever may
    read the reason; one query, only when there is such a signal)."""
    if not any(s.key in LATE_START_SIGNALS for s in signals):
        return signals
    reasoned = (
        RivException.objects.visible_to(user)
        .filter(trajectory=trajectory, rule="second_track_late", withdrawn_at__isnull=True)
        .exists()
    )
    if not reasoned:
        return signals
    note = wvp.Signal(
        "second_track_late_reasoned",
        wvp.Level.WARNING,
        gettext(
            "The 2e spoor started late; the valid reason is signed off in the RIV check "
            "(question 4 of UWV's test)."
        ),
    )
    return [note if s.key in LATE_START_SIGNALS else s for s in signals]
