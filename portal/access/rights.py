"""What a user may do: every ``can_*`` and ``is_*`` rule of rights, and ``audience`` (whom a
page speaks to). Each ``can_*`` checks visibility itself. See ``portal.access``."""

from django.db.models import QuerySet

from rapportages.constants import PUBLISHED
from rapportages.models import Report
from trajecten.models import (
    Assignment,
    Employee,
    TimeEntry,
    Trajectory,
)

from ..constants import MFA_REQUIRED_ROLES, NoticeKind, Role
from ..models import (
    Product,
    User,
)
from .rules import RECORD_RULES, _active_tenant_user

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


def notice_kinds(user) -> list[str]:
    """The kinds of notice a person can get, whose email they choose (``portal.digests``):
    staff hear of referrals, messages and reports falling due; an employer contact of
    messages and the reports they read or respond to; an employee of their reports."""
    if _role(user, Role.AGENCY_ADMIN, Role.SPECIALIST):
        kinds = [NoticeKind.REFERRAL, NoticeKind.MESSAGE, NoticeKind.REPORT_REMINDER]
    elif _role(user, Role.EMPLOYER_CONTACT):
        kinds = [NoticeKind.MESSAGE, NoticeKind.REPORT_RESPOND, NoticeKind.REPORT_FINAL]
    elif _role(user, Role.EMPLOYEE):
        kinds = [NoticeKind.REPORT_RESPOND, NoticeKind.REPORT_FINAL]
    else:
        kinds = []
    return [kind.value for kind in kinds]


def can_manage_invoices(user) -> bool:
    """Invoice details, invoice addresses, proposing, issuing and crediting: agency admins."""
    return _role(user, Role.AGENCY_ADMIN)


def sees_invoices(user) -> bool:
    """The invoices pages and API: agency admins, and employer contacts with the invoices
    right (``EmployerContact.sees_invoices``; which invoices: the rule of ``Invoice``)."""
    if _role(user, Role.AGENCY_ADMIN):
        return True
    from .rules import _invoice_contact

    return _role(user, Role.EMPLOYER_CONTACT) and _invoice_contact(user) is not None


def can_get_sms(user) -> bool:
    """SMS reminders are for employees, about their own appointments and reports, with
    their own consent (``portal.sms``)."""
    return _role(user, Role.EMPLOYEE)


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


def can_add_employee_view(user, report: Report) -> bool:
    """The employee adds a later view to a final report of their file (kept beside the PDF,
    printed in the UWV bundle). Before signing they respond to the report instead."""

    return is_employee(user) and report.status in PUBLISHED and is_visible(user, report)


def can_request_bundle(user, trajectory: Trajectory) -> bool:
    return _role(user, Role.AGENCY_ADMIN, Role.SPECIALIST, Role.EMPLOYER_CONTACT) and is_visible(
        user, trajectory
    )


def sees_riv_checks(user) -> bool:
    """Whether the user reads RIV checks at all (the file's tab, the dashboards' counts)."""
    return _role(user, Role.AGENCY_ADMIN, Role.SPECIALIST, Role.EMPLOYER_CONTACT)


def can_see_riv_check(user, trajectory: Trajectory) -> bool:
    """The RIV check of a trajectory (``rapportages.riv_check``): agency staff and employer
    contacts who see it. Not the employee: it judges the employer's and the agency's work."""
    return _role(user, Role.AGENCY_ADMIN, Role.SPECIALIST, Role.EMPLOYER_CONTACT) and is_visible(
        user, trajectory
    )


def can_sign_riv_exception(user, trajectory: Trajectory) -> bool:
    """Signing off (and withdrawing) why a rule of the RIV check does not apply: the
    trajectory's specialists, who write its file."""
    return can_write_records(user, trajectory)


def can_manage_vacancies(user) -> bool:
    return is_agency_staff(user)


def can_import_employees(user) -> bool:
    return can_manage_agency(user)


def can_place_orders(user) -> bool:
    """A verzuim system orders a 2e-spoor trajectory for the employer it works for: through an
    employer contact's account (its token), for that employer's BVs the contact sees
    (``POST /api/v1/referrals/``)."""
    return is_employer_contact(user) and can_create_trajectory(user)


def can_transfer_files(user) -> bool:
    """Import running trajectories from a transfer archive, and export files as one: whole
    files with every record (agency-only and medically marked conversations too), so the
    agency's admins only (``overdracht``)."""
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


def can_manage_webhooks(user) -> bool:
    """Webhook endpoints: an agency's admins register the agency's (they share them), an
    employer contact their own (for their verzuim system). An endpoint is told only what its
    owner may see (``portal.webhooks``)."""
    return _role(user, Role.AGENCY_ADMIN, Role.EMPLOYER_CONTACT)


def can_edit_webhook(user, endpoint) -> bool:
    """Change, test, replay or remove an endpoint: whoever may see it (its owner; for an
    agency's endpoint, every admin of the agency)."""
    return can_manage_webhooks(user) and is_visible(user, endpoint)


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
