"""The results as CSV and as a PDF (in Dutch, like every document Spoorboek prints), and the
words that say whose figures they are."""

from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal import access
from portal.downloads import download_name
from portal.models import LegalEntity
from rapportages import pdf as pdf_rendering

from .constants import QUESTIONS
from .outcomes import Outcomes, Rate, Satisfaction


def scope_label(user) -> str:
    """Whose trajectories the figures count: the agency, a caseload, or an employer's BVs."""
    if access.sees_outcome_breakdowns(user):
        return _("All trajectories of %(agency)s") % {"agency": user.agency.name}
    if access.is_employer_contact(user):
        names = list(LegalEntity.objects.visible_to(user).values_list("name", flat=True))
        return _("The trajectories of %(bvs)s") % {"bvs": ", ".join(names) or "–"}
    return _("The trajectories of your caseload")


def filename(result: Outcomes, *, ext: str) -> str:
    return download_name("resultaten", f"{result.start:%Y%m%d}", f"{result.end:%Y%m%d}", ext=ext)


def _rate(rate: Rate) -> str:
    return "" if rate.percentage is None else rate.percentage


def _mark(value) -> str:
    return "" if value is None else str(value).replace(".", ",")


def _satisfaction_rows(title: str, s: Satisfaction) -> list[list]:
    rows = [
        [title, _("invited"), s.invited],
        [title, _("answered"), s.answered],
        [title, _("response rate (%)"), _rate(s.response_rate)],
        [title, _("said no thanks"), s.declined],
        [title, _("closed trajectories with nobody to ask"), s.not_asked],
    ]
    labels = question_labels()
    for q in QUESTIONS:
        rows.append([title, _("average: %(q)s") % {"q": labels[q]}, _mark(s.averages.get(q))])
    rows.append([title, _("average: overall"), _mark(s.overall)])
    return rows


def question_labels() -> dict[str, str]:
    return {"guidance": _("guidance"), "communication": _("communication"), "result": _("result")}


def csv_rows(result: Outcomes) -> list[list]:
    """One row per figure (figure, item, value), as every CSV of Spoorboek. An average hidden by
    the small-number rule is empty."""
    rows = [[_("Figure"), _("Item"), _("Value")]]
    period = _("Period")
    rows += [
        [period, _("from"), result.start.isoformat()],
        [period, _("until"), result.end.isoformat()],
    ]
    t = _("Trajectories")
    rows += [
        [t, _("started"), result.started],
        [t, _("closed"), result.closed],
        [t, _("closed with placement"), result.with_total],
        [t, _("closed without placement"), result.without_total],
        [t, _("placement rate (%)"), _rate(result.placement_rate)],
        [t, _("median days from start to placement"), _mark(result.median_days_to_placement)],
        [t, _("placements without a recorded start"), result.placements_unmeasured],
    ]
    rows += [[_("Closed with placement"), r.label, n] for r, n in result.with_placement]
    rows += [[_("Closed without placement"), r.label, n] for r, n in result.without_placement]
    for title, rate in (
        (_("Intake within 5 working days"), result.intake),
        (_("Reports on time"), result.reports),
    ):
        rows += [
            [title, _("on time"), rate.hits],
            [title, _("total"), rate.total],
            [title, _("rate (%)"), _rate(rate)],
        ]
    rows += _satisfaction_rows(_("Satisfaction of employees"), result.employee)
    rows += _satisfaction_rows(_("Satisfaction of employers"), result.employer)
    for heading, groups in (
        (_("Per quarter"), result.quarters),
        (_("Per specialist"), result.by_specialist),
        (_("Per employer"), result.by_employer),
    ):
        for g in groups:
            title = f"{heading}: {g.name}"
            rows += [
                [title, _("closed"), g.closed],
                [title, _("closed with placement"), g.placed],
                [title, _("placement rate (%)"), _rate(g.placement_rate)],
                [title, _("answers of employees"), g.employee.answered],
                [title, _("average of employees"), _mark(g.employee.overall)],
                [title, _("answers of employers"), g.employer.answered],
                [title, _("average of employers"), _mark(g.employer.overall)],
            ]
    return rows


def pdf(result: Outcomes, *, user) -> bytes:
    agency = user.agency
    with translation.override("nl"):
        _html, data = pdf_rendering.render_to_pdf(
            "kwaliteit/pdf/results.html",
            {
                "result": result,
                "agency": agency,
                "logo": pdf_rendering.logo_data_uri(agency),
                "scope": scope_label(user),
                "made_on": date_format(timezone.localdate(), "j F Y"),
            },
        )
    return data
