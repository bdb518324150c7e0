"""The one scoping layer: what may this user see?

Every view, form choice list, export, task and API endpoint that reads tenant data starts
from ``Model.objects.visible_to(user)`` (which calls ``apply_rules`` here), and fetches one
row with ``get_visible_or_404``: one way to say "scope this". Every right to change something is
a ``can_*`` helper here too, which checks visibility itself; views, serializers and services
never compare roles. Where a new rule goes: a new kind of record gets a line in
``RECORD_RULES``; a new right a ``can_*`` helper that the service calls (``portal.writes``).

Rules, after domain.md section 6:

* agency admin: everything of their own agency;
* specialist: the trajectories they are a member of (and the people and BVs on them);
* employer contact: trajectories at their employer's BVs, all or a chosen subset;
* employee: their own file;
* anyone else (inactive users, platform operators without an agency): nothing.

Each rule filters by agency first and then narrows by role, using subqueries only, so scoping
never costs an extra query per request or per row. Out-of-scope objects answer 404: views fetch
single objects with ``get_visible_or_404``.
"""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db.models import Max, Model, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from kwaliteit.models import SurveyInvitation
from rapportages.constants import PUBLISHED
from rapportages.models import BundleJob, Report
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
    WorkCapacity,
)

from .constants import MFA_REQUIRED_ROLES, AuditAction, Role
from .models import (
    ApiToken,
    AuditEvent,
    Employer,
    Invitation,
    LegalEntity,
    Notification,
    Phase,
    Product,
    StandIn,
    TimeCategory,
    User,
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
@_rule(ApiToken)
@_rule(ThreadRead)
def _own_only(qs: QuerySet, user) -> QuerySet:
    """Notices and API tokens belong to one user; nobody else sees them, admins neither."""
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


@_rule(AuditEvent)
def _audit_events(qs: QuerySet, user) -> QuerySet:
    return qs if user.role == Role.AGENCY_ADMIN else qs.none()


# --- Named entry points -----------------------------------------------------------------------


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


# --- Rights ---------------------------------------------------------------------------------
# Every ``can_*`` helper takes the object and checks that the user may see it: an object
# fetched through ``visible_to(user)`` carries that fact (no query), any other costs one query.
# Visible but not allowed answers 403 in the views; invisible answers 404 before this.


def is_visible(user, obj) -> bool:
    """Whether ``user`` may see ``obj``."""
    if not _active_tenant_user(user) or obj is None or obj.pk is None:
        return False
    if getattr(obj, "_visible_to_user", None) == user.pk:
        return True
    return type(obj).objects.visible_to(user).filter(pk=obj.pk).exists()


def _active_tenant_user(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.agency_id and user.role)


def is_tenant_user(user) -> bool:
    """Someone with a role in an agency (not a platform operator, not anonymous)."""
    return user is not None and _active_tenant_user(user)


def _role(user, *roles) -> bool:
    return _active_tenant_user(user) and user.role in roles


def audience(user) -> dict[str, bool]:
    """Whom a page speaks to, for its words and layout ("My caseload" or "Trajectories", the
    employee's menu). Never a right: a page shows an action by a ``can_*`` flag of this module,
    and the service checks it again."""
    return {
        "employee": is_employee(user),
        "employer": is_employer_contact(user),
        "admin": can_manage_agency(user),
        "specialist": is_specialist(user),
    }


def can_manage_agency(user) -> bool:
    """Users, employers, BVs, invitations, settings, configuration and the audit trail."""
    return _role(user, Role.AGENCY_ADMIN)


def is_agency_staff(user) -> bool:
    """Agency admins and specialists: the caseload, search, Jobport, the specialist's day."""
    return _role(user, Role.AGENCY_ADMIN, Role.SPECIALIST)


def is_employee(user) -> bool:
    """The employee's own pages (their file, their applications)."""
    return _role(user, Role.EMPLOYEE)


def is_employer_contact(user) -> bool:
    return _role(user, Role.EMPLOYER_CONTACT)


def home_kind(user) -> str:
    """Which home page a role starts on: 'employee', 'employer' or 'specialist'."""
    if is_employee(user):
        return "employee"
    if is_employer_contact(user):
        return "employer"
    return "specialist"


def sees_private_notes(user) -> bool:
    """The notes on applications are private to the employee and the agency."""
    return not is_employer_contact(user)


def can_see_employer_dashboard(user) -> bool:
    return _role(user, Role.AGENCY_ADMIN, Role.SPECIALIST, Role.EMPLOYER_CONTACT)


def can_see_applications_overview(user) -> bool:
    """The applications per BV and trajectory against the norm."""
    return _role(user, Role.AGENCY_ADMIN, Role.SPECIALIST, Role.EMPLOYER_CONTACT)


def can_see_outcomes(user) -> bool:
    """The results of a measurement period, over what the user may see: agency admins (the
    agency), specialists (their caseload) and employer contacts (their BVs)."""
    return _role(user, Role.AGENCY_ADMIN, Role.SPECIALIST, Role.EMPLOYER_CONTACT)


def sees_outcome_breakdowns(user) -> bool:
    """Figures per specialist and per employer: agency admins."""
    return can_manage_agency(user)


def sees_survey_comments(user) -> bool:
    """The survey's open comments (under the small-number rule): agency staff. An employee's
    words about their trajectory may say more than an employer may learn."""
    return is_agency_staff(user)


def has_messages(user) -> bool:
    """Everyone but the employee, who is not in the employer-agency threads."""
    return _role(user, Role.AGENCY_ADMIN, Role.SPECIALIST, Role.EMPLOYER_CONTACT)


def referable_products(user) -> QuerySet:
    """The products a trajectory can be created or referred with: the agency's own, not the
    monthly renewal (which follows by itself). Employer contacts choose one in a referral."""
    if not can_create_trajectory(user):
        return Product.objects.none()
    return Product.objects.filter(agency_id=user.agency_id).exclude(kind=Product.Kind.RENEWAL)


def can_create_trajectory(user) -> bool:
    """Agency staff create trajectories; employer contacts refer someone for one of their BVs."""
    return _role(user, Role.AGENCY_ADMIN, Role.SPECIALIST, Role.EMPLOYER_CONTACT)


def chooses_specialist_on_creation(user) -> bool:
    """Staff name the primary specialist when they create a trajectory; an employer contact's
    referral gets one when the agency accepts it."""
    return is_agency_staff(user)


def can_edit_trajectory(user, trajectory: Trajectory) -> bool:
    """Writing the trajectory summary (phase, dates, WvP steps, members, closing, norm):
    agency admins and the trajectory's own specialists."""
    return is_agency_staff(user) and is_visible(user, trajectory)


def can_accept_referral(user, trajectory: Trajectory) -> bool:
    return can_manage_agency(user) and is_visible(user, trajectory)


def can_write_records(user, trajectory: Trajectory) -> bool:
    """Writing the file's records (conversations, profiles, appointments, ...): the
    trajectory's specialists. Agency admins read them (and write time entries)."""
    return _role(user, Role.SPECIALIST) and is_visible(user, trajectory)


def can_write_time(user, trajectory: Trajectory) -> bool:
    """Time entries: the trajectory's specialists and agency admins."""
    return can_edit_trajectory(user, trajectory)


def can_write_record(user, trajectory: Trajectory, model) -> bool:
    """Writing one kind of record of the file."""
    if model is TimeEntry:
        return can_write_time(user, trajectory)
    return can_write_records(user, trajectory)


def can_complete_assignment(user, assignment: Assignment) -> bool:
    """The employee completes their own assignments; the trajectory's specialists may too."""
    if not is_visible(user, assignment):
        return False
    return is_employee(user) or can_write_records(user, assignment.trajectory)


def can_record_applications(user, trajectory: Trajectory) -> bool:
    """The employee (their own file) and the trajectory's specialists record applications."""
    return _role(user, Role.SPECIALIST, Role.EMPLOYEE) and is_visible(user, trajectory)


def can_write_reports(user, trajectory: Trajectory) -> bool:
    """Drafting, signing and correcting reports: the trajectory's specialists."""
    return _role(user, Role.SPECIALIST) and is_visible(user, trajectory)


def can_see_bsn(user, trajectory: Trajectory) -> bool:
    """The BSN, when the agency records it at all: agency staff on screen; on paper only the
    documents for UWV print it (reports and the bundle)."""
    return is_agency_staff(user) and trajectory.agency.record_bsn and is_visible(user, trajectory)


def report_party(user, report: Report) -> str | None:
    """As whom ``user`` responds to a report that is out for a response: the employee of the
    file, or for a plan an employer contact of its BV (the commissioning party)."""
    from rapportages.constants import Party, ReportKind, ReportStatus

    if report.status != ReportStatus.DRAFT or not report.review_requested_at:
        return None
    if not is_visible(user, report):
        return None
    if is_employee(user):
        return Party.EMPLOYEE
    if user.role == Role.EMPLOYER_CONTACT and report.kind == ReportKind.TRAJECTORY_PLAN:
        return Party.EMPLOYER
    return None


def can_approve_report(user, report: Report) -> bool:
    """Four-eyes: another specialist of the trajectory or an agency admin, not the signer."""
    return (
        _role(user, Role.SPECIALIST, Role.AGENCY_ADMIN)
        and report.signed_by_id != user.pk
        and is_visible(user, report.trajectory)
    )


def report_approvers(report: Report) -> list:
    """Who is asked to approve: the trajectory's other specialists and the agency admins."""
    members = [
        m.user
        for m in report.trajectory.memberships.select_related("user").filter(user__is_active=True)
        if m.user_id != report.signed_by_id
    ]
    admins = [u for u in agency_admins(report.agency_id) if u.pk != report.signed_by_id]
    return list({u.pk: u for u in [*members, *admins]}.values())


def can_add_employee_view(user, report: Report) -> bool:
    """The employee adds a later view to a final report of their file (kept beside the PDF,
    printed in the UWV bundle). Before signing they respond to the report instead."""
    from rapportages.constants import PUBLISHED

    return is_employee(user) and report.status in PUBLISHED and is_visible(user, report)


def can_request_bundle(user, trajectory: Trajectory) -> bool:
    return _role(user, Role.AGENCY_ADMIN, Role.SPECIALIST, Role.EMPLOYER_CONTACT) and is_visible(
        user, trajectory
    )


def can_manage_vacancies(user) -> bool:
    return is_agency_staff(user)


def can_import_employees(user) -> bool:
    return can_manage_agency(user)


def can_request_access_export(user, employee: Employee) -> bool:
    """The employee themself, or an agency admin on their behalf."""
    if not is_visible(user, employee):
        return False
    return can_manage_agency(user) or (is_employee(user) and employee.user_id == user.pk)


def can_manage_invitation(user, invitation) -> bool:
    """Sending an invitation again or revoking it: an agency admin, for one of their agency."""
    return can_manage_agency(user) and is_visible(user, invitation)


def can_use_api_tokens(user) -> bool:
    """A personal API token: every active user of an agency, for themself."""
    return _active_tenant_user(user)


def can_revoke_token(user, token) -> bool:
    """A token is its owner's only: nobody else revokes it, admins neither."""
    return is_visible(user, token)


def can_prepare_access_export(user, trajectory: Trajectory) -> bool:
    """From the file, an agency admin prepares the employee's access export on their behalf
    (the employee asks for their own from "Who viewed my file")."""
    return can_manage_agency(user) and is_visible(user, trajectory)


def can_reconcile_employees(user, employee: Employee) -> bool:
    """Merging two employee records or keeping them apart: agency admins of the agency."""
    return can_manage_agency(user) and is_visible(user, employee)


def possible_duplicate_employees(user) -> QuerySet:
    """Employees a referral created with the email address of someone else in the agency,
    waiting for an agency admin's decision."""
    if not can_manage_agency(user):
        return Employee.objects.none()
    return Employee.objects.visible_to(user).filter(possible_duplicate_of__isnull=False)


def can_post_message(user, trajectory: Trajectory) -> bool:
    """The thread runs between the trajectory's employer contacts and its specialists; agency
    admins read it."""
    return _role(user, Role.SPECIALIST, Role.EMPLOYER_CONTACT) and is_visible(user, trajectory)


def reads_threads_without_being_in_them(user) -> bool:
    """Agency admins read every thread but are not a party: no unread counts for them."""
    return can_manage_agency(user)


def is_specialist(user) -> bool:
    return _role(user, Role.SPECIALIST)


def can_list_trajectories(user) -> bool:
    """The caseload table: everyone but the employee, who has their own file."""
    return _role(user, Role.AGENCY_ADMIN, Role.SPECIALIST, Role.EMPLOYER_CONTACT)


def sees_record_kind(user, model) -> bool:
    """Whether the user may see any record of this kind at all (the file's tabs)."""
    if user.role == Role.SPECIALIST:
        return True
    index = {Role.EMPLOYEE: 0, Role.EMPLOYER_CONTACT: 1, Role.AGENCY_ADMIN: 2}.get(user.role)
    return index is not None and RECORD_RULES[model][index] is not None


def mfa_required(user) -> bool:
    """Agency staff, employer contacts and platform operators must use MFA. Demo users are
    exempt in the embedded default (``settings.EMBEDDED``), so that `make run` can be tried
    without an authenticator app."""
    from django.conf import settings

    if not (user.role in MFA_REQUIRED_ROLES or user.is_staff or user.is_superuser):
        return False
    return not (settings.EMBEDDED and user.is_demo)


def can_be_member(user: User, trajectory: Trajectory) -> bool:
    """Only staff of the trajectory's agency can be its members (caseload rights)."""
    return (
        user.is_active
        and user.agency_id == trajectory.agency_id
        and user.role in (Role.SPECIALIST, Role.AGENCY_ADMIN)
    )


# --- Who is told: the inverse of the rules above, for notices ---------------------------------


def _contacts_of(trajectory: Trajectory) -> Q:
    return Q(
        role=Role.EMPLOYER_CONTACT,
        employer_contact__employer_id=trajectory.legal_entity.employer_id,
    ) & (
        Q(employer_contact__all_legal_entities=True)
        | Q(employer_contact__legal_entities=trajectory.legal_entity_id)
    )


def employer_contacts_of(trajectory: Trajectory) -> QuerySet:
    """The active employer contacts who see the trajectory's BV."""
    return User.objects.filter(
        _contacts_of(trajectory), agency_id=trajectory.agency_id, is_active=True
    ).distinct()


def message_participants(trajectory: Trajectory) -> QuerySet:
    """Everyone who may post in the trajectory's thread: its specialists and the employer
    contacts who see its BV."""
    specialists = Q(role=Role.SPECIALIST, trajectory_memberships__trajectory=trajectory)
    return User.objects.filter(
        _contacts_of(trajectory) | specialists, agency_id=trajectory.agency_id, is_active=True
    ).distinct()


def agency_admins(agency_id: int) -> QuerySet:
    return User.objects.filter(agency_id=agency_id, role=Role.AGENCY_ADMIN, is_active=True)


def agency_staff(agency_id: int) -> QuerySet:
    """Admins and specialists of the agency (a referral's notice; the specialist choices)."""
    return User.objects.filter(
        agency_id=agency_id, role__in=[Role.SPECIALIST, Role.AGENCY_ADMIN], is_active=True
    ).order_by("first_name", "last_name")


def agency_specialists(agency_id: int) -> QuerySet:
    return agency_staff(agency_id).filter(role=Role.SPECIALIST)
