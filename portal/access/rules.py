"""What a user may see: the visibility rule of every tenant model (``apply_rules``, which
``Model.objects.visible_to(user)`` calls) and ``get_visible_or_404``. See ``portal.access``."""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db.models import Max, Model, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from facturen.models import (
    BilledItem,
    BillingAddress,
    Invoice,
    InvoiceLine,
    InvoiceProfile,
    InvoiceSequence,
)
from kwaliteit.models import SurveyInvitation
from rapportages.constants import PUBLISHED
from rapportages.models import BundleJob, Report, RivException
from sollicitaties.models import (
    ApplicationActivity,
    ApplicationNorm,
    Evidence,
    TempAgencyRegistration,
    Vacancy,
)
from trajecten.constants import Visibility
from trajecten.models import (
    AccessExport,
    ActionTemplate,
    Appointment,
    Assignment,
    ConversationReport,
    Document,
    Employee,
    MedicalNote,
    Message,
    PersonProfile,
    PhaseChange,
    Placement,
    Renewal,
    SearchProfile,
    SicknessCase,
    Task,
    ThreadRead,
    TimeEntry,
    Training,
    Trajectory,
    TrajectoryMember,
    TransferImport,
    WorkCapacity,
)

from ..constants import AuditAction, Role
from ..models import (
    ApiToken,
    AuditEvent,
    DigestSchedule,
    Employer,
    EmployerContact,
    Invitation,
    LegalEntity,
    NoticePreference,
    Notification,
    Phase,
    Product,
    SmsConsent,
    SmsMessage,
    StandIn,
    TimeCategory,
    User,
    WebhookDelivery,
    WebhookEndpoint,
)

_RULES: dict[type[Model], Callable[[QuerySet, User], QuerySet]] = {}


def _rule(model: type[Model]):
    def register(func):
        _RULES[model] = func
        return func

    return register


def apply_rules(queryset: QuerySet, user) -> QuerySet:
    """Narrow ``queryset`` to what ``user`` may see. Unknown models fail loudly. Code outside
    this module says ``Model.objects.visible_to(user)``, which calls this."""
    if not (user.is_authenticated and user.is_active and user.agency_id and user.role):
        return queryset.none()
    try:
        rule = _RULES[queryset.model]
    except KeyError:
        raise LookupError(f"No access rule for {queryset.model.__name__}") from None
    return rule(queryset.filter(agency_id=user.agency_id), user)


def stood_in_for(user) -> list[int]:
    """The colleagues a specialist stands in for today (``StandIn``, only inside its period):
    their trajectories are part of the caseload. One small query, remembered on the user
    object for the rest of the request."""
    today = timezone.localdate()
    cached = user.__dict__.get("_stood_in_for")
    if cached is None or cached[0] != today:
        absent = list(
            StandIn.objects.filter(
                agency_id=user.agency_id, stand_in=user, starts_on__lte=today, ends_on__gte=today
            ).values_list("absent_id", flat=True)
        )
        cached = user.__dict__["_stood_in_for"] = (today, absent)
    return cached[1]


def _contact_legal_entity_ids(user) -> list[int]:
    """Ids of the BVs an employer contact may see. One small query, remembered on the user
    object for the rest of the request (as ``stood_in_for``): as a subquery it was built into
    every query of a contact's page, and cost each of them its compiling in Python and a join
    over all the agency's contacts in PostgreSQL."""
    # (getattr, not __dict__: request.user is a lazy object that passes attributes on.)
    cached = getattr(user, "_contact_legal_entity_ids", None)
    if cached is None:
        cached = user._contact_legal_entity_ids = sorted(
            LegalEntity.objects.filter(
                Q(employer__contacts__user=user, employer__contacts__all_legal_entities=True)
                | Q(contacts__user=user, contacts__all_legal_entities=False),
                agency_id=user.agency_id,
            )
            .values_list("id", flat=True)
            .distinct()
        )
    return cached


@_rule(Trajectory)
def _trajectories(qs: QuerySet, user) -> QuerySet:
    match user.role:
        case Role.AGENCY_ADMIN:
            return qs
        case Role.SPECIALIST:
            # The caseload as a subquery on the memberships, so PostgreSQL starts from the few
            # hundred member rows and reads each trajectory by its key. A join on the
            # memberships had it read all of the agency's trajectories (20,000) and hash them,
            # by the agency index once other agencies share the table: with 50 agencies the
            # specialist's day was 10% slower than with one (docs/performance.md).
            members = TrajectoryMember.objects.filter(
                agency_id=user.agency_id, user_id__in=[user.pk, *stood_in_for(user)]
            )
            return qs.filter(id__in=members.values("trajectory_id"))
        case Role.EMPLOYER_CONTACT:
            return qs.filter(legal_entity_id__in=_contact_legal_entity_ids(user))
        case Role.EMPLOYEE:
            return qs.filter(employee__user=user)
    return qs.none()


@_rule(Employee)
def _employees(qs: QuerySet, user) -> QuerySet:
    match user.role:
        case Role.AGENCY_ADMIN:
            return qs
        case Role.EMPLOYEE:
            return qs.filter(user=user)
        case Role.SPECIALIST | Role.EMPLOYER_CONTACT:
            trajectories = apply_rules(Trajectory.objects.all(), user).values("employee_id")
            return qs.filter(id__in=trajectories)
    return qs.none()


@_rule(LegalEntity)
def _legal_entities(qs: QuerySet, user) -> QuerySet:
    match user.role:
        case Role.AGENCY_ADMIN:
            return qs
        case Role.EMPLOYER_CONTACT:
            return qs.filter(id__in=_contact_legal_entity_ids(user))
        case Role.SPECIALIST:
            trajectories = apply_rules(Trajectory.objects.all(), user).values("legal_entity_id")
            return qs.filter(id__in=trajectories)
    return qs.none()


@_rule(Employer)
def _employers(qs: QuerySet, user) -> QuerySet:
    match user.role:
        case Role.AGENCY_ADMIN:
            return qs
        case Role.EMPLOYER_CONTACT:
            return qs.filter(contacts__user=user)
        case Role.SPECIALIST:
            bvs = apply_rules(LegalEntity.objects.all(), user).values("employer_id")
            return qs.filter(id__in=bvs)
    return qs.none()


@_rule(SicknessCase)
def _sickness_cases(qs: QuerySet, user) -> QuerySet:
    if user.role == Role.AGENCY_ADMIN:
        return qs
    return qs.filter(id__in=apply_rules(Trajectory.objects.all(), user).values("sickness_case_id"))


# --- Records of the file (domain.md section 6) ------------------------------------------------
# Each record is visible when its trajectory is, narrowed per role by this table: a Q object
# (an extra condition), ALL (no extra condition) or NONE (never). Agency admins see every
# record of their agency except medical notes.

ALL, NONE = Q(), None
SHARED_WITH_EMPLOYEE = Q(visibility__in=[Visibility.EMPLOYEE, Visibility.EMPLOYER])
SHARED_WITH_EMPLOYER = Q(visibility=Visibility.EMPLOYER)

#: model: (employee, employer contact, agency admin); specialists see all records of their
#: trajectories.
RECORD_RULES = {
    PhaseChange: (ALL, ALL, ALL),
    PersonProfile: (ALL, NONE, ALL),
    WorkCapacity: (ALL, ALL, ALL),
    MedicalNote: (ALL, NONE, NONE),
    SearchProfile: (ALL, ALL, ALL),
    ConversationReport: (
        SHARED_WITH_EMPLOYEE,
        SHARED_WITH_EMPLOYER & Q(contains_medical=False),
        ALL,
    ),
    Appointment: (ALL, NONE, ALL),
    Assignment: (ALL, NONE, ALL),
    Training: (ALL, NONE, ALL),
    Document: (SHARED_WITH_EMPLOYEE, SHARED_WITH_EMPLOYER, ALL),
    Placement: (ALL, ALL, ALL),
    Task: (NONE, NONE, ALL),
    TimeEntry: (NONE, NONE, ALL),
    Renewal: (NONE, NONE, ALL),
    ApplicationActivity: (ALL, ALL, ALL),
    TempAgencyRegistration: (ALL, ALL, ALL),
    ApplicationNorm: (ALL, ALL, ALL),
    Evidence: (ALL, Q(agency__share_application_evidence_with_employer=True), ALL),
    # Employees read published reports and the drafts given to them to respond to; employers
    # published reports and the plan given to them to sign.
    Report: (
        Q(status__in=PUBLISHED) | Q(status="draft", review_requested_at__isnull=False),
        Q(status__in=PUBLISHED)
        | Q(status="draft", review_requested_at__isnull=False, kind="trajectory_plan"),
        ALL,
    ),
    BundleJob: (NONE, ALL, ALL),
    # A reason the specialist signed off for the RIV check: the employer reads it (it answers
    # UWV's fourth question in the employer's file); the employee is not asked about it here.
    RivException: (NONE, ALL, ALL),
    # The thread runs between the employer and the specialists; the employee is not in it.
    Message: (NONE, ALL, ALL),
    # Read only as aggregates under the small-number rule (kwaliteit.outcomes), never a row.
    SurveyInvitation: (NONE, ALL, ALL),
}


def _record_rule(model):
    employee_q, contact_q, admin_q = RECORD_RULES[model]

    def rule(qs: QuerySet, user) -> QuerySet:
        condition = {
            Role.EMPLOYEE: employee_q,
            Role.EMPLOYER_CONTACT: contact_q,
            Role.AGENCY_ADMIN: admin_q,
            Role.SPECIALIST: ALL,
        }.get(user.role)
        if condition is None:
            return qs.none()
        if user.role == Role.AGENCY_ADMIN:
            return qs.filter(condition)
        trajectories = apply_rules(Trajectory.objects.all(), user).values("id")
        return qs.filter(condition, trajectory_id__in=trajectories)

    return rule


for _model in RECORD_RULES:
    _RULES[_model] = _record_rule(_model)


def _agency_configuration(qs: QuerySet, user) -> QuerySet:
    """Products, time categories and action lists: read by agency staff."""
    return qs if user.role in (Role.AGENCY_ADMIN, Role.SPECIALIST) else qs.none()


for _model in (Product, TimeCategory, ActionTemplate):
    _RULES[_model] = _agency_configuration


@_rule(Phase)
def _phases(qs: QuerySet, user) -> QuerySet:
    """Phase names are shown on every trajectory, so every role of the agency reads them
    (an employer filters its dashboard by phase)."""
    return qs


@_rule(Vacancy)
def _vacancies(qs: QuerySet, user) -> QuerySet:
    """The agency's vacancy board: staff maintain it, employees get suggestions from it."""
    if user.role in (Role.AGENCY_ADMIN, Role.SPECIALIST, Role.EMPLOYEE):
        return qs
    return qs.none()


@_rule(Notification)
@_rule(NoticePreference)
@_rule(SmsConsent)
@_rule(SmsMessage)
@_rule(DigestSchedule)
@_rule(ApiToken)
@_rule(ThreadRead)
def _own_only(qs: QuerySet, user) -> QuerySet:
    """Notices, their email preferences and API tokens belong to one user; nobody else sees
    them, admins neither."""
    return qs.filter(user=user)


@_rule(User)
def _users(qs: QuerySet, user) -> QuerySet:
    return qs if user.role == Role.AGENCY_ADMIN else qs.filter(pk=user.pk)


@_rule(StandIn)
def _stand_ins(qs: QuerySet, user) -> QuerySet:
    """Admins arrange them; a specialist sees those they are part of."""
    match user.role:
        case Role.AGENCY_ADMIN:
            return qs
        case Role.SPECIALIST:
            return qs.filter(Q(absent=user) | Q(stand_in=user))
    return qs.none()


@_rule(Invitation)
def _invitations(qs: QuerySet, user) -> QuerySet:
    return qs if user.role == Role.AGENCY_ADMIN else qs.none()


@_rule(AccessExport)
def _access_exports(qs: QuerySet, user) -> QuerySet:
    """The employee's own; agency admins prepare them on an employee's behalf, and never see
    an archive holding medical notes (those the employee asked for themself)."""
    match user.role:
        case Role.EMPLOYEE:
            return qs.filter(employee__user=user)
        case Role.AGENCY_ADMIN:
            return qs.filter(includes_medical=False)
    return qs.none()


@_rule(TransferImport)
def _transfer_imports(qs: QuerySet, user) -> QuerySet:
    """A transfer archive holds whole files of the agency: its admins only."""
    return qs if user.role == Role.AGENCY_ADMIN else qs.none()


@_rule(WebhookEndpoint)
def _webhook_endpoints(qs: QuerySet, user) -> QuerySet:
    """An agency's endpoints (registered by its admins) are shared by its admins, so the
    integration outlives one admin's holiday; an employer contact's are theirs alone, like
    their API tokens. Nobody else sees an endpoint or its secret."""
    match user.role:
        case Role.AGENCY_ADMIN:
            return qs.filter(owner__role=Role.AGENCY_ADMIN)
        case Role.EMPLOYER_CONTACT:
            return qs.filter(owner=user)
    return qs.none()


@_rule(WebhookDelivery)
def _webhook_deliveries(qs: QuerySet, user) -> QuerySet:
    """The log of the endpoints the user sees."""
    return qs.filter(endpoint__in=apply_rules(WebhookEndpoint.objects.all(), user).values("id"))


# --- Invoices (facturen) ----------------------------------------------------------------------


def _invoice_contact(user):
    """The employer contact's link, when it has the invoices right (one small query, kept
    on the user object for the request as ``_contact_legal_entity_ids``)."""
    cached = getattr(user, "_invoice_contact", False)
    if cached is False:
        cached = user._invoice_contact = (
            EmployerContact.objects.filter(user=user, sees_invoices=True)
            .values("employer_id", "all_legal_entities")
            .first()
        )
    return cached


@_rule(Invoice)
def _invoices(qs: QuerySet, user) -> QuerySet:
    """Agency admins: all, proposals too. An employer contact with the invoices right: the
    issued invoices and credit notes of their employer; a contact who sees only some BVs
    only those addressed to one of their BVs (an invoice to the whole employer bills BVs
    they do not see)."""
    match user.role:
        case Role.AGENCY_ADMIN:
            return qs
        case Role.EMPLOYER_CONTACT:
            contact = _invoice_contact(user)
            if contact is None:
                return qs.none()
            qs = qs.filter(status=Invoice.Status.ISSUED, employer_id=contact["employer_id"])
            if contact["all_legal_entities"]:
                return qs
            return qs.filter(legal_entity_id__in=_contact_legal_entity_ids(user))
    return qs.none()


@_rule(InvoiceLine)
def _invoice_lines(qs: QuerySet, user) -> QuerySet:
    return qs.filter(invoice_id__in=apply_rules(Invoice.objects.all(), user).values("id"))


@_rule(InvoiceProfile)
@_rule(BillingAddress)
@_rule(InvoiceSequence)
@_rule(BilledItem)
def _invoicing_admin(qs: QuerySet, user) -> QuerySet:
    """How the agency bills, and what it billed: its admins."""
    return qs if user.role == Role.AGENCY_ADMIN else qs.none()


@_rule(AuditEvent)
def _audit_events(qs: QuerySet, user) -> QuerySet:
    return qs if user.role == Role.AGENCY_ADMIN else qs.none()


# --- Named entry points -----------------------------------------------------------------------


#: What the RIV check reads of a trajectory's whole file (``riv_file_rows``), for every role
#: that may see the trajectory: the check must find the same for the agency and the employer
#: (figures agree), so it cannot read the employer's narrower view. Only facts leave the
#: check (dates, counts, statuses); a training's name is marked agency-only where it shows.
RIV_FILE_MODELS = (ConversationReport, Training, SearchProfile, ApplicationActivity, Report)


def riv_file_rows(model, trajectory_ids=(), *, of=None) -> QuerySet:
    """The rows of ``model`` (one of ``RIV_FILE_MODELS``) of the trajectories in
    ``trajectory_ids``, which the caller read through ``Trajectory.objects.visible_to(user)``,
    or of the trajectory row ``of`` (an ``OuterRef`` in a query over such trajectories),
    whatever each row's own visibility (see ``RIV_FILE_MODELS``; ``last_conversation_date``
    is the same rule for one date)."""
    if model not in RIV_FILE_MODELS:
        raise ValueError(f"{model.__name__} is not read by the RIV check")
    if of is not None:
        return model.objects.filter(trajectory_id=of)
    return model.objects.filter(trajectory_id__in_list=list(trajectory_ids))


def last_conversation_date() -> Subquery:
    """For a trajectory the caller may see (annotate it on its ``visible_to(user)``): the date
    of its latest conversation with the employee, whatever the conversation's visibility.
    That the specialist spoke with the employee, and when, is what an employer must be able
    to check (too little personal contact fails trajectories); what was said stays with whom
    the conversation is shared, and no other fact of a hidden conversation leaves here."""
    latest = (
        ConversationReport.objects.filter(trajectory_id=OuterRef("pk"))
        .order_by()
        .values("trajectory_id")
        .annotate(last=Max("date"))
        .values("last")
    )
    return Subquery(latest[:1])


def report_deadlines(user) -> QuerySet:
    """For the trajectories the user may see: each report's version, due date and signing
    time, to count deadlines kept ("reports on time"). An employer sees no draft, yet whether
    a report due was signed on time is a fact of their file (their dashboard shows the
    deadlines too); no other field of a report leaves here."""
    if not _active_tenant_user(user):
        return Report.objects.none().values("version", "due_date", "signed_at")
    return Report.objects.filter(
        agency_id=user.agency_id, trajectory_id__in=Trajectory.objects.visible_to(user).values("id")
    ).values("version", "due_date", "signed_at")


def visible_specialists(user) -> QuerySet:
    """Specialists who are members of a trajectory the user may see (e.g. a dashboard filter
    for an employer, who may not list the agency's users)."""
    if not (user.is_authenticated and user.agency_id):
        return User.objects.none()
    members = TrajectoryMember.objects.filter(
        trajectory__in=Trajectory.objects.visible_to(user).values("id")
    ).values("user_id")
    return User.objects.filter(agency_id=user.agency_id, role=Role.SPECIALIST, id__in=members)


def own_file_access_events(user) -> QuerySet:
    """For an employee: who viewed, downloaded or changed their own file (by others)."""
    if not (user.is_authenticated and user.role == Role.EMPLOYEE and user.agency_id):
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(
        agency_id=user.agency_id,
        subject_uuid__in=Employee.objects.filter(user=user).values("uuid"),
        action__in=[AuditAction.VIEW, AuditAction.UPDATE, AuditAction.DOWNLOAD],
    ).exclude(actor=user)


def get_visible_or_404(queryset: QuerySet, **lookup):
    """Fetch one object from an already scoped queryset; anything else, a malformed id
    included (``000…`` is not a UUID), is a 404."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc


def _active_tenant_user(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.agency_id and user.role)
