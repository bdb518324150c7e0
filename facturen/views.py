"""Invoice pages: the list (proposals and issued invoices), one invoice, its PDF and UBL file,
the bookkeeping CSV, the agency's invoice details and an employer's invoice address. Thin:
rules in ``portal.access``, writes in ``facturen.services``, documents in
``facturen.documents``. Who sees which page is the scoping layer's: an invoice another
agency, employer or BV owns, or any proposal for an employer contact, answers 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from portal import access, audit
from portal.constants import AuditAction
from portal.csvexport import csv_response
from portal.downloads import download_name
from portal.forms import PeriodForm
from portal.models import Employer, LegalEntity, Product
from portal.shortcuts import act, submit

from . import documents, services
from .forms import AddressForm, CreditForm, PricesForm, ProfileForm, ProposeForm
from .models import BillingAddress, Invoice, InvoiceProfile

PAGE_SIZE = 50


def _require(allowed: bool) -> None:
    """Invoice pages do not exist for anyone without the right: 404, as for another's data."""
    if not allowed:
        raise Http404


def _invoices(user):
    return Invoice.objects.visible_to(user).select_related("employer", "legal_entity", "credits")


def _invoice(request, uuid) -> Invoice:
    _require(access.sees_invoices(request.user))
    return access.get_visible_or_404(_invoices(request.user), uuid=uuid)


@login_required
def invoice_list(request):
    user = request.user
    _require(access.sees_invoices(user))
    form = PeriodForm.from_request(request.GET)
    issued = _invoices(user).issued()
    if form.period:
        issued = issued.filter(issue_date__range=form.period)
    page = Paginator(issued, PAGE_SIZE).get_page(request.GET.get("page"))
    manage = access.can_manage_invoices(user)
    context = {"form": form, "page": page, "can_manage": manage}
    if manage:
        context |= {
            "drafts": list(_invoices(user).filter(status=Invoice.Status.DRAFT)
                           .annotate(line_count=Count("lines"))
                           .order_by("employer__name", "legal_entity__name")),
            "propose_form": ProposeForm(),
            "profile": InvoiceProfile.objects.visible_to(user).first(),
        }  # fmt: skip
    audit.record_list(Invoice, len(page.object_list))
    return render(request, "facturen/list.html", context)


@login_required
@require_POST
def propose(request):
    _require(access.can_manage_invoices(request.user))
    form = ProposeForm(request.POST)
    if form.is_valid():
        act(
            request,
            lambda: services.invoices_propose(actor=request.user, until=form.cleaned_data["until"]),
            success=lambda drafts: (
                ngettext(
                    "%(n)d invoice proposed. Check it, then issue it.",
                    "%(n)d invoices proposed. Check them, then issue them.",
                    len(drafts),
                )
                % {"n": len(drafts)}
            ),
        )
    else:
        messages.error(request, _("Enter a valid date."))
    return redirect("facturen:list")


@login_required
@require_POST
def issue_all(request):
    """Issue every proposal, one by one: one that is refused (an address missing) stays a
    proposal and is named; the others are issued."""
    _require(access.can_manage_invoices(request.user))
    issued = 0
    for invoice in _invoices(request.user).filter(status=Invoice.Status.DRAFT):
        try:
            services.invoice_issue(actor=request.user, invoice=invoice)
            issued += 1
        except ValidationError as exc:
            messages.error(request, f"{invoice.employer}: {' '.join(exc.messages)}")
    if issued:  # "issued" only for what was
        messages.success(
            request,
            ngettext("%(n)d invoice issued.", "%(n)d invoices issued.", issued) % {"n": issued},
        )
    return redirect("facturen:list")


@login_required
def detail(request, uuid):
    invoice = _invoice(request, uuid)
    lines = list(invoice.lines.select_related("credited_by__invoice"))
    manage = access.can_manage_invoices(request.user)
    can_credit = (
        manage
        and not invoice.is_draft
        and not invoice.is_credit_note
        and any(not hasattr(line, "credited_by") for line in lines)
    )
    audit.record(AuditAction.VIEW, invoice)
    return render(
        request,
        "facturen/detail.html",
        {
            "invoice": invoice,
            "lines": lines,
            "vat": services.vat_breakdown(lines),
            "can_manage": manage,
            "can_credit": can_credit,
            "credit_notes": list(invoice.credit_notes.all()) if not invoice.is_credit_note else [],
        },
    )


@login_required
@require_POST
def issue(request, uuid):
    invoice = _invoice(request, uuid)
    _require(access.can_manage_invoices(request.user))
    act(
        request,
        lambda: services.invoice_issue(actor=request.user, invoice=invoice),
        success=lambda inv: _("Invoice %(number)s has been issued.") % {"number": inv.number},
    )
    return redirect("facturen:detail", uuid=invoice.uuid)


@login_required
@require_POST
def delete_draft(request, uuid):
    invoice = _invoice(request, uuid)
    _require(access.can_manage_invoices(request.user))
    if act(
        request,
        lambda: services.invoice_draft_delete(actor=request.user, invoice=invoice),
        success=_("The proposal has been removed; what it billed stays unbilled."),
    ):
        return redirect("facturen:list")
    return redirect("facturen:detail", uuid=invoice.uuid)


@login_required
@require_POST
def remove_line(request, uuid, position):
    invoice = _invoice(request, uuid)
    _require(access.can_manage_invoices(request.user))
    act(
        request,
        lambda: services.invoice_line_remove(
            actor=request.user, invoice=invoice, position=position
        ),
        success=_("The line is off this proposal; it stays unbilled for a next invoice."),
    )
    if Invoice.objects.visible_to(request.user).filter(pk=invoice.pk).exists():
        return redirect("facturen:detail", uuid=invoice.uuid)
    return redirect("facturen:list")


@login_required
def credit(request, uuid):
    invoice = _invoice(request, uuid)
    _require(access.can_manage_invoices(request.user))
    lines = list(invoice.lines.filter(credited_by__isnull=True))
    form = CreditForm(request.POST or None, lines=lines)
    if note := submit(
        request, form,
        lambda data: services.credit_note_create(
            actor=request.user, invoice=invoice, positions=data["positions"],
            reason=data["reason"],
        ),
        success=lambda note: _("Credit note %(number)s has been issued.")
        % {"number": note.number},
    ):  # fmt: skip
        return redirect("facturen:detail", uuid=note.uuid)
    return render(
        request,
        "facturen/credit.html",
        {"invoice": invoice, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def download_pdf(request, uuid):
    return documents.download(_invoice(request, uuid), "pdf")


@login_required
def download_ubl(request, uuid):
    return documents.download(_invoice(request, uuid), "xml")


@login_required
def export_csv(request):
    _require(access.sees_invoices(request.user))
    form = PeriodForm.from_request(request.GET)
    if not form.period:
        raise Http404
    invoices = (
        _invoices(request.user).issued().filter(issue_date__range=form.period)
        .order_by("sequence").prefetch_related("lines")
    )  # fmt: skip
    audit.record_list(Invoice, invoices.count(), details={"export": "invoices.csv"})
    start, end = form.period
    return csv_response(
        documents.csv_rows(invoices),
        download_name("facturen", f"{start:%Y%m%d}", f"{end:%Y%m%d}", ext="csv"),
    )


@login_required
def profile(request):
    _require(access.can_manage_invoices(request.user))
    instance = InvoiceProfile.objects.visible_to(request.user).first()
    form = ProfileForm(request.POST or None, instance=instance)
    if submit(
        request, form,
        lambda data: services.profile_save(actor=request.user, **data),
        success=_("The invoice details have been saved."),
    ):  # fmt: skip
        return redirect("facturen:list")
    return render(
        request, "facturen/profile.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def prices(request):
    _require(access.can_manage_invoices(request.user))
    products = Product.objects.visible_to(request.user).order_by("kind")
    form = PricesForm(request.POST or None, products=products)
    if submit(
        request, form,
        lambda data: services.product_prices_set(actor=request.user, prices=form.prices()),
        success=_("The prices have been saved."),
    ):  # fmt: skip
        return redirect("facturen:list")
    return render(
        request, "facturen/prices.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def address(request, employer, legal_entity=None):
    _require(access.can_manage_invoices(request.user))
    employer = access.get_visible_or_404(Employer.objects.visible_to(request.user), uuid=employer)
    bv = None
    if legal_entity is not None:
        bv = access.get_visible_or_404(
            LegalEntity.objects.visible_to(request.user), uuid=legal_entity, employer=employer
        )
    instance = (
        BillingAddress.objects.visible_to(request.user)
        .filter(employer=employer, legal_entity=bv)
        .first()
    )
    initial = {} if instance else {"name": bv.name if bv else employer.name,
                                   "kvk_number": bv.kvk_number if bv else ""}  # fmt: skip
    form = AddressForm(request.POST or None, instance=instance, initial=initial)
    if submit(
        request, form,
        lambda data: services.billing_address_save(
            actor=request.user, employer=employer, legal_entity=bv, **data
        ),
        success=_("The invoice address has been saved."),
    ):  # fmt: skip
        return redirect("portal:employer_detail", uuid=employer.uuid)
    return render(
        request,
        "facturen/address.html",
        {"form": form, "employer": employer, "legal_entity": bv},
        status=400 if form.errors else 200,
    )
