"""Invoices (issue 44, item 2): a monthly run proposes what the files say is unbilled, an admin
checks and issues; numbers are consecutive per agency without gaps; nothing is billed twice;
a correction is a credit note; every invoice as a PDF and a UBL 2.1 (NLCIUS) e-invoice that
the OASIS schema accepts; a CSV for bookkeeping; employer contacts with the invoices right
read their invoices; the API does what the pages do."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import etree

from facturen import services
from facturen.models import BilledItem, Invoice, InvoiceSequence
from facturen.tasks import propose_monthly_invoices
from portal.models import EmployerContact, Product, TimeCategory
from tests.factories import EmployeeFactory, TrajectoryFactory
from trajecten.models import Renewal, TimeEntry

from .conftest import AMSTERDAM, NOV_30, address, pdf_text, ubl_schema

NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}


def propose(admin, until=NOV_30):
    return services.invoices_propose(actor=admin, until=until)


def issue_all(admin, until=NOV_30):
    return [services.invoice_issue(actor=admin, invoice=d) for d in propose(admin, until)]


def invoice_of(invoices, employer):
    return next(i for i in invoices if i.employer_id == employer.pk)


# --- The run through the pages ----------------------------------------------------------------


def test_propose_check_issue_and_read_through_the_pages(billing, login):
    cast = billing.cast
    client = login(cast.admin_a)
    response = client.post(reverse("facturen:propose"), {"until": "2026-11-30"}, follow=True)
    assert "2 facturen voorgesteld" in response.content.decode()
    drafts = list(Invoice.objects.filter(status="draft").order_by("employer__name"))
    assert [d.employer for d in drafts] == [cast.employer_x, cast.employer_y]
    page = client.get(reverse("facturen:detail", args=[drafts[0].uuid])).content.decode()
    assert "Voorgestelde factuur" in page
    assert "2e spoor basistraject" in page.lower() or "basis" in page.lower()
    assert "€ 3.550,00" in page  # 2 x 1,775.00

    response = client.post(reverse("facturen:issue_all"), follow=True)
    assert "2 facturen uitgegeven" in response.content.decode()
    x, y = (
        Invoice.objects.get(employer=cast.employer_x),
        Invoice.objects.get(employer=cast.employer_y),
    )
    assert (x.number, y.number) == ("A-000001", "A-000002")
    assert (x.net_total, x.vat_total, x.gross_total) == (
        Decimal("3550.00"),
        Decimal("745.50"),
        Decimal("4295.50"),
    )
    assert x.issue_date == datetime.date(2026, 12, 5)
    assert x.due_date == datetime.date(2027, 1, 4)
    assert x.buyer["reference"] == "PO-2026-17"
    assert x.seller["iban"] == "NL91ABNA0417164300"

    listing = client.get(reverse("facturen:list")).content.decode()
    assert "A-000001" in listing and "A-000002" in listing
    assert "Er wachten geen voorstellen." in listing

    pdf = client.get(reverse("facturen:pdf", args=[x.uuid]))
    assert pdf["Content-Type"] == "application/pdf"
    assert "factuur-A-000001.pdf" in pdf["Content-Disposition"]
    text = pdf_text(pdf.content)
    for expected in (
        "Factuur",
        "A-000001",
        "Employer X Holding B.V.",
        "Kerkstraat 2",
        "PO-2026-17",
        "04-01-2027",
        "€ 4.295,50",
        "Btw 21% over € 3.550,00",
        "NL91 ABNA 0417 1643 00",
        "KvK 12345678",
        "NL000099998B57",
    ):
        assert expected in text, expected
    assert "Xavier"[0] + "." in text  # the employee by initial and last name


def test_the_ubl_invoice_passes_the_ubl_21_schema_and_the_nlcius_rules(billing, login):
    cast = billing.cast
    invoice = invoice_of(issue_all(cast.admin_a), cast.employer_x)
    response = login(cast.admin_a).get(reverse("facturen:ubl", args=[invoice.uuid]))
    assert response["Content-Type"] == "application/xml"
    doc = etree.fromstring(response.content)
    schema = ubl_schema("Invoice")
    assert schema.validate(doc), schema.error_log
    text = lambda path: doc.findtext(path, namespaces=NS)  # noqa: E731
    assert text("cbc:CustomizationID") == (
        "urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0"
    )
    assert text("cbc:ID") == "A-000001"
    assert text("cbc:InvoiceTypeCode") == "380"
    assert text("cbc:BuyerReference") == "PO-2026-17"
    seller = "cac:AccountingSupplierParty/cac:Party/"
    # BR-NL-1: the seller's KvK number with scheme 0106
    legal = doc.find(seller + "cac:PartyLegalEntity/cbc:CompanyID", NS)
    assert (legal.text, legal.get("schemeID")) == ("12345678", "0106")
    # BR-NL-3: the seller's street, city and postcode
    for part in ("StreetName", "CityName", "PostalZone"):
        assert text(seller + f"cac:PostalAddress/cbc:{part}")
    assert text(seller + "cac:PartyTaxScheme/cbc:CompanyID") == "NL000099998B57"
    buyer = "cac:AccountingCustomerParty/cac:Party/"
    assert text(buyer + "cac:PartyLegalEntity/cbc:CompanyID") == "87654321"
    assert text(buyer + "cac:PostalAddress/cbc:PostalZone") == "1017 GA"
    # BR-NL-29: credit transfer to the seller's IBAN
    assert text("cac:PaymentMeans/cbc:PaymentMeansCode") == "30"
    assert text("cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID") == "NL91ABNA0417164300"
    # The figures add up (BR-CO-10, -13, -15, -17)
    lines = [Decimal(e.text) for e in doc.findall("cac:InvoiceLine/cbc:LineExtensionAmount", NS)]
    assert sum(lines) == Decimal(text("cac:LegalMonetaryTotal/cbc:LineExtensionAmount"))
    assert text("cac:TaxTotal/cbc:TaxAmount") == "745.50"
    assert text("cac:LegalMonetaryTotal/cbc:PayableAmount") == "4295.50"
    assert text("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:Percent") == "21.00"


# --- Nothing billed twice; late entries go to the next invoice --------------------------------


def test_a_rerun_bills_nothing_twice(billing):
    admin = billing.cast.admin_a
    assert len(issue_all(admin)) == 2
    assert propose(admin) == []  # the same month again: nothing left
    assert BilledItem.objects.count() == 3


def test_a_renewal_month_is_billed_once_and_only_once_it_has_begun(billing):
    cast = billing.cast
    t = cast.traj_x1
    for month in (datetime.date(2026, 11, 2), datetime.date(2026, 12, 2)):
        Renewal.objects.create(trajectory=t, period_start=month, price=Decimal("335.00"))
    first = invoice_of(issue_all(cast.admin_a), cast.employer_x)
    renewal_lines = [line for line in first.lines.all() if line.kind == "renewal"]
    assert [(line.period_start, line.period_end) for line in renewal_lines] == [
        (datetime.date(2026, 11, 2), datetime.date(2026, 12, 1))
    ]
    assert "Verlenging 2e spoor, 02-11-2026 t/m 01-12-2026" in renewal_lines[0].description
    with time_machine.travel(datetime.datetime(2027, 1, 2, 9, tzinfo=AMSTERDAM), tick=False):
        for _ in range(2):  # a rerun proposes the same, once
            second = propose(cast.admin_a, until=datetime.date(2026, 12, 31))
        assert len(second) == 1
        assert [line.description[:40] for line in second[0].lines.all()] == [
            "Verlenging 2e spoor, 02-12-2026 t/m 01-0"
        ]
        services.invoice_issue(actor=cast.admin_a, invoice=second[0])
        assert propose(cast.admin_a, until=datetime.date(2026, 12, 31)) == []


def test_hours_of_a_product_billed_by_the_hour_and_a_late_entry_on_the_next_invoice(billing):
    cast = billing.cast
    hourly = Product.objects.get(agency=cast.agency_a, kind="feasibility")
    hourly.hourly_rate = Decimal("95.00")
    hourly.save()
    t = cast.traj_y1
    t.product = hourly
    t.save(update_fields=["product"])
    coaching = TimeCategory.objects.get(agency=cast.agency_a, name="Coaching")
    travel = TimeCategory.objects.get(agency=cast.agency_a, name="Reistijd")  # not billable

    def entry(day, minutes, category=coaching):
        return TimeEntry.objects.create(
            trajectory=t, date=day, minutes=minutes, category=category, user=cast.specialist_a2
        )

    entry(datetime.date(2026, 11, 10), 90)
    entry(datetime.date(2026, 11, 24), 45)
    entry(datetime.date(2026, 11, 25), 60, travel)
    entry(datetime.date(2026, 12, 1), 30)  # after the cut-off: next month
    y = invoice_of(issue_all(cast.admin_a), cast.employer_y)
    (line,) = y.lines.all()
    assert (line.kind, line.quantity, line.unit, line.unit_price, line.net_amount) == (
        "hours",
        Decimal("2.25"),
        "HUR",
        Decimal("95.00"),
        Decimal("213.75"),
    )
    assert "10-11-2026 t/m 24-11-2026" in line.description
    # Written after the invoice, dated before its cut-off: the next invoice has it.
    entry(datetime.date(2026, 11, 28), 60)
    with time_machine.travel(datetime.datetime(2027, 1, 2, 9, tzinfo=AMSTERDAM), tick=False):
        (nxt,) = [
            d
            for d in propose(cast.admin_a, until=datetime.date(2026, 12, 31))
            if d.employer_id == cast.employer_y.pk
        ]
        (line,) = nxt.lines.all()
        assert line.quantity == Decimal("1.50")  # 28 Nov (60 min) and 1 Dec (30 min)


def test_a_proposal_line_taken_out_stays_unbilled(billing, login):
    cast = billing.cast
    draft = invoice_of(propose(cast.admin_a), cast.employer_x)
    client = login(cast.admin_a)
    client.post(reverse("facturen:remove_line", args=[draft.uuid, 2]))
    draft.refresh_from_db()
    assert draft.lines.count() == 1 and draft.net_total == Decimal("1775.00")
    services.invoice_issue(actor=cast.admin_a, invoice=draft)
    again = invoice_of(propose(cast.admin_a), cast.employer_x)
    assert again.lines.count() == 1  # the line taken out, proposed again


# --- Numbers: consecutive, no gaps, never an edit ---------------------------------------------


def test_a_refused_issue_leaves_no_gap_in_the_numbers(billing):
    cast = billing.cast
    from facturen.models import BillingAddress

    BillingAddress.objects.filter(employer=cast.employer_y).delete()
    drafts = propose(cast.admin_a)
    y = invoice_of(drafts, cast.employer_y)
    with pytest.raises(ValidationError, match="factuuradres van Employer Y"):
        services.invoice_issue(actor=cast.admin_a, invoice=y)
    assert InvoiceSequence.objects.get(agency=cast.agency_a).last_number == 0
    x = services.invoice_issue(actor=cast.admin_a, invoice=invoice_of(drafts, cast.employer_x))
    assert x.number == "A-000001"
    y.refresh_from_db()
    assert y.is_draft and not BilledItem.objects.filter(line__invoice=y).exists()


def test_an_issued_invoice_never_changes(billing, login):
    cast = billing.cast
    invoice = invoice_of(issue_all(cast.admin_a), cast.employer_x)
    with pytest.raises(ValidationError, match="creditnota"):
        services.invoice_line_remove(actor=cast.admin_a, invoice=invoice, position=1)
    with pytest.raises(ValidationError):
        services.invoice_draft_delete(actor=cast.admin_a, invoice=invoice)
    with pytest.raises(ValidationError):
        services.invoice_issue(actor=cast.admin_a, invoice=invoice)
    # A later change of the agency's details or the address changes no issued invoice.
    services.profile_save(actor=cast.admin_a, **{**_profile(), "legal_name": "Nieuwe naam B.V."})
    services.billing_address_save(
        actor=cast.admin_a, employer=cast.employer_x, **address(street="Andere straat 9")
    )
    text = pdf_text(login(cast.admin_a).get(reverse("facturen:pdf", args=[invoice.uuid])).content)
    assert "Agency A B.V." in text and "Kerkstraat 2" in text
    assert "Nieuwe naam" not in text and "Andere straat" not in text
    invoice.refresh_from_db()
    assert (invoice.number, invoice.sequence, invoice.lines.count()) == ("A-000001", 1, 2)


def _profile():
    from .conftest import PROFILE

    return PROFILE


def test_numbers_are_per_agency(billing):
    cast = billing.cast
    services.profile_save(actor=cast.admin_b, **{**_profile(), "number_prefix": ""})
    services.billing_address_save(actor=cast.admin_b, employer=cast.employer_z, **address())
    cast.traj_z1.start_date = datetime.date(2026, 11, 3)
    cast.traj_z1.save(update_fields=["start_date"])
    issue_all(cast.admin_a)
    (z,) = issue_all(cast.admin_b)
    assert z.number == "000001"
    assert [line.trajectory for line in z.lines.all()] == [cast.traj_z1]


# --- Credit notes -----------------------------------------------------------------------------


def test_a_credit_note_corrects_a_line_which_can_then_be_billed_again(billing, login):
    cast = billing.cast
    x = min(issue_all(cast.admin_a), key=lambda i: i.number)
    client = login(cast.admin_a)
    page = client.get(reverse("facturen:credit", args=[x.uuid]))
    assert page.status_code == 200
    refused = client.post(reverse("facturen:credit", args=[x.uuid]), {"positions": ["2"]})
    assert refused.status_code == 400  # no reason given; nothing issued
    assert Invoice.objects.filter(kind="credit_note").count() == 0
    response = client.post(
        reverse("facturen:credit", args=[x.uuid]),
        {"positions": ["2"], "reason": "Traject startte pas in december"},
        follow=True,
    )
    note = Invoice.objects.get(kind="credit_note")
    assert note.number == "A-000003"  # the same sequence, next number
    assert note.credits == x and note.gross_total == Decimal("2147.75")
    assert "Creditnota A-000003 is uitgegeven" in response.content.decode()
    original = client.get(reverse("facturen:detail", args=[x.uuid])).content.decode()
    assert "gecrediteerd in A-000003" in original
    # The credited line cannot be credited twice.
    with pytest.raises(ValidationError):
        services.credit_note_create(actor=cast.admin_a, invoice=x, positions=[2], reason="Nog eens")
    # The credited product is unbilled again; the other line is not.
    again = invoice_of(propose(cast.admin_a), cast.employer_x)
    assert [line.trajectory for line in again.lines.all()] == [x.lines.get(position=2).trajectory]
    text = pdf_text(client.get(reverse("facturen:pdf", args=[note.uuid])).content)
    assert "Creditnota" in text and "Corrigeert factuur" in text and "A-000001" in text
    assert "Traject startte pas in december" in text
    ubl = etree.fromstring(client.get(reverse("facturen:ubl", args=[note.uuid])).content)
    schema = ubl_schema("CreditNote")
    assert schema.validate(ubl), schema.error_log
    assert ubl.findtext("cbc:CreditNoteTypeCode", namespaces=NS) == "381"
    assert (
        ubl.findtext("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", namespaces=NS)
        == "A-000001"
    )


def test_the_csv_for_bookkeeping(billing, login):
    cast = billing.cast
    x = invoice_of(issue_all(cast.admin_a), cast.employer_x)
    services.credit_note_create(actor=cast.admin_a, invoice=x, positions=[1], reason="Fout")
    response = login(cast.admin_a).get(
        reverse("facturen:export"), {"start": "2026-12-01", "end": "2026-12-31"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    totals = {r[0]: (r[13], r[14]) for r in rows[1:] if r[7] == "total"}
    assert totals == {
        "A-000001": ("3550,00", "745,50"),
        "A-000002": ("1775,00", "372,75"),
        "A-000003": ("-1775,00", "-372,75"),
    }


def test_one_invoice_per_bv_when_the_agency_bills_so(billing):
    cast = billing.cast
    services.profile_save(actor=cast.admin_a, **{**_profile(), "grouping": "legal_entity"})
    services.billing_address_save(
        actor=cast.admin_a,
        employer=cast.employer_x,
        legal_entity=cast.x2,
        **address(name="X2 BV", street="Dorpsstraat 5", kvk_number="55555555"),
    )
    issued = issue_all(cast.admin_a)
    by_bv = {i.legal_entity: i for i in issued}
    assert set(by_bv) == {cast.x1, cast.x2, cast.y1}
    # X1 has no address of its own: the employer's, under X1's name and KvK number.
    assert by_bv[cast.x1].buyer["name"] == "X1 BV"
    assert by_bv[cast.x1].buyer["kvk_number"] == cast.x1.kvk_number
    assert by_bv[cast.x1].buyer["street"] == "Kerkstraat 2"
    assert by_bv[cast.x2].buyer["street"] == "Dorpsstraat 5"
    assert by_bv[cast.x2].buyer["kvk_number"] == "55555555"


def test_the_monthly_run_of_beat_proposes_last_month(billing, on_commit):
    cast = billing.cast
    with time_machine.travel(datetime.datetime(2026, 12, 1, 5, 30, tzinfo=AMSTERDAM), tick=False):
        assert propose_monthly_invoices() == 1  # only agency A entered its details
    drafts = Invoice.objects.filter(status="draft")
    assert {d.employer for d in drafts} == {cast.employer_x, cast.employer_y}
    assert {d.period_end for d in drafts} == {NOV_30}
    assert not Invoice.objects.filter(status="issued").exists()  # a person issues


# --- Details and their errors -----------------------------------------------------------------


def test_wrong_numbers_are_refused_in_the_users_language_and_nothing_is_lost(billing, login):
    cast = billing.cast
    client = login(cast.admin_a)
    data = {**_profile(), "iban": "NL91ABNA0417164301", "vat_number": "NL123", "city": "Zeist"}
    response = client.post(reverse("facturen:profile"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Dit is geen geldig IBAN." in page
    assert "Dit is geen geldig btw-nummer" in page
    assert 'value="Zeist"' in page  # what was typed stays
    from facturen.models import InvoiceProfile

    assert InvoiceProfile.objects.get(agency=cast.agency_a).city == "Utrecht"
    cast.admin_a.language = "pl"
    cast.admin_a.save(update_fields=["language"])
    response = client.post(reverse("facturen:profile"), data)
    assert response.status_code == 400
    assert "To nie jest prawidłowy numer IBAN." in response.content.decode()


# --- Who sees what ----------------------------------------------------------------------------


@pytest.fixture
def issued(billing):
    cast = billing.cast
    EmployerContact.objects.filter(user__in=[cast.contact_x_all, cast.contact_x1]).update(
        sees_invoices=True
    )
    invoices = issue_all(cast.admin_a)
    return invoice_of(invoices, cast.employer_x)


def test_an_employer_contact_with_the_invoices_right_reads_their_invoices(issued, cast, login):
    client = login(cast.contact_x_all)
    listing = client.get(reverse("facturen:list")).content.decode()
    assert "A-000001" in listing and "A-000002" not in listing  # not employer Y's
    assert "Voorstellen" not in listing
    assert client.get(reverse("facturen:detail", args=[issued.uuid])).status_code == 200
    assert client.get(reverse("facturen:pdf", args=[issued.uuid])).status_code == 200
    assert client.get(reverse("facturen:ubl", args=[issued.uuid])).status_code == 200
    employer_page = client.get(reverse("portal:employer_detail", args=[cast.employer_x.uuid]))
    assert reverse("facturen:list") in employer_page.content.decode()


OWNER_ONLY = ["facturen:credit"]
READ = ["facturen:detail", "facturen:pdf", "facturen:ubl"]


@pytest.mark.parametrize(
    "who",
    ["admin_b", "specialist_a", "employee_x1", "contact_y", "contact_z", "contact_x1"],
)
def test_everyone_else_gets_404_for_an_invoice(issued, cast, login, who):
    """Another agency, a specialist, an employee, another employer's contact, a contact who
    sees only some BVs (the invoice bills the whole employer X): 404 on every address."""
    client = login(getattr(cast, who))
    for name in READ + OWNER_ONLY:
        assert client.get(reverse(name, args=[issued.uuid])).status_code == 404, name
    for name in ("facturen:issue", "facturen:delete"):
        assert client.post(reverse(name, args=[issued.uuid])).status_code == 404, name
    assert client.post(reverse("facturen:remove_line", args=[issued.uuid, 1])).status_code == 404


@pytest.mark.parametrize("who", ["contact_x_all", "specialist_a", "contact_z", "employee_x1"])
def test_management_pages_are_the_admins_only(issued, cast, login, who):
    client = login(getattr(cast, who))
    assert client.get(reverse("facturen:profile")).status_code == 404
    assert client.get(reverse("facturen:address", args=[cast.employer_x.uuid])).status_code == 404
    assert client.post(reverse("facturen:propose"), {"until": "2026-11-30"}).status_code == 404
    assert client.post(reverse("facturen:issue_all")).status_code == 404


def test_without_the_right_an_employer_contact_sees_no_invoices(issued, cast, login):
    EmployerContact.objects.filter(user=cast.contact_x_all).update(sees_invoices=False)
    client = login(cast.contact_x_all)
    assert client.get(reverse("facturen:list")).status_code == 404
    assert client.get(reverse("facturen:detail", args=[issued.uuid])).status_code == 404
    assert client.get(reverse("facturen:export"), {"start": "2026-01-01"}).status_code == 404


def test_a_contact_of_some_bvs_sees_the_invoices_addressed_to_their_bvs(billing, login):
    cast = billing.cast
    EmployerContact.objects.filter(user=cast.contact_x1).update(sees_invoices=True)
    services.profile_save(actor=cast.admin_a, **{**_profile(), "grouping": "legal_entity"})
    by_bv = {i.legal_entity: i for i in issue_all(cast.admin_a)}
    client = login(cast.contact_x1)
    assert client.get(reverse("facturen:detail", args=[by_bv[cast.x1].uuid])).status_code == 200
    assert client.get(reverse("facturen:detail", args=[by_bv[cast.x2].uuid])).status_code == 404


def test_a_proposal_is_not_shown_to_an_employer_contact(billing, login):
    cast = billing.cast
    EmployerContact.objects.filter(user=cast.contact_x_all).update(sees_invoices=True)
    draft = invoice_of(propose(cast.admin_a), cast.employer_x)
    client = login(cast.contact_x_all)
    assert client.get(reverse("facturen:detail", args=[draft.uuid])).status_code == 404
    # A proposal has no number: no PDF or UBL of it, for the admin neither.
    admin = login(cast.admin_a)
    assert admin.get(reverse("facturen:pdf", args=[draft.uuid])).status_code == 404


def test_another_agencys_employer_is_not_found_for_an_address(billing, login):
    cast = billing.cast
    client = login(cast.admin_a)
    assert client.get(reverse("facturen:address", args=[cast.employer_z.uuid])).status_code == 404
    url = reverse("facturen:address_bv", args=[cast.employer_y.uuid, cast.x1.uuid])
    assert client.get(url).status_code == 404  # a BV of another employer
    with pytest.raises(PermissionDenied):  # the service refuses too
        services.billing_address_save(actor=cast.admin_a, employer=cast.employer_z, **address())


# --- The API --------------------------------------------------------------------------------


def test_the_api_proposes_issues_credits_and_reads(billing, api):
    cast = billing.cast
    admin = api(cast.admin_a)
    response = admin.post("/api/v1/invoices/propose/", {"until": "2026-11-30"}, format="json")
    assert response.status_code == 201, response.json()
    drafts = response.json()
    assert len(drafts) == 2 and all(d["status"] == "draft" for d in drafts)
    x = next(d for d in drafts if d["employer"] == str(cast.employer_x.uuid))
    issued = admin.post(f"/api/v1/invoices/{x['uuid']}/issue/")
    assert issued.status_code == 200 and issued.json()["number"] == "A-000001"
    again = admin.post(f"/api/v1/invoices/{x['uuid']}/issue/")
    assert again.status_code == 400 and "creditnota" in again.json()["message"]
    note = admin.post(
        f"/api/v1/invoices/{x['uuid']}/credit/", {"positions": [1], "reason": "Fout"}, format="json"
    )
    assert note.status_code == 201 and note.json()["kind"] == "credit_note"
    assert note.json()["number"] == "A-000002"
    pdf = admin.get(f"/api/v1/invoices/{x['uuid']}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    ubl = admin.get(f"/api/v1/invoices/{x['uuid']}/ubl/")
    assert ubl_schema("Invoice").validate(etree.fromstring(ubl.content))

    EmployerContact.objects.filter(user=cast.contact_x_all).update(sees_invoices=True)
    contact = api(cast.contact_x_all)
    listed = contact.get("/api/v1/invoices/").json()["results"]
    assert {i["number"] for i in listed} == {"A-000001", "A-000002"}  # not Y's proposal
    assert contact.post("/api/v1/invoices/propose/", {"until": "2026-11-30"}).status_code == 404
    assert contact.post(f"/api/v1/invoices/{x['uuid']}/credit/", {}).status_code == 404
    for who in (cast.admin_b, cast.contact_y, cast.specialist_a, cast.employee_x1):
        client = api(who)
        assert client.get(f"/api/v1/invoices/{x['uuid']}/").status_code == 404
        assert client.get(f"/api/v1/invoices/{x['uuid']}/pdf/").status_code == 404
        assert client.get("/api/v1/invoices/").json()["results"] == []


# --- Languages and queries --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", ["Invoices", "Proposals", "Issued"]), ("pl", ["Faktury", "Propozycje", "Wystawione"])],
)
def test_the_invoice_pages_in_english_and_polish(billing, login, language, words):
    cast = billing.cast
    cast.admin_a.language = language
    cast.admin_a.save(update_fields=["language"])
    issue_all(cast.admin_a)
    client = login(cast.admin_a)
    page = client.get(reverse("facturen:list"), HTTP_ACCEPT_LANGUAGE=language)
    text = page.content.decode()
    for word in words:
        assert word in text, word


def test_constant_queries_for_the_list_and_an_invoice(billing, login):
    cast = billing.cast
    client = login(cast.admin_a)
    issue_all(cast.admin_a)
    x = Invoice.objects.get(employer=cast.employer_x)

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few_list, few_detail = (
        count(reverse("facturen:list")),
        count(reverse("facturen:detail", args=[x.uuid])),
    )
    for _ in range(6):  # more trajectories, more invoices and lines
        TrajectoryFactory(
            legal_entity=cast.x1,
            employee=EmployeeFactory(agency=cast.agency_a),
            start_date=datetime.date(2026, 11, 10),
        )
    more = issue_all(cast.admin_a)
    assert len(more) == 1 and more[0].lines.count() == 6
    assert count(reverse("facturen:list")) == few_list
    assert count(reverse("facturen:detail", args=[more[0].uuid])) == few_detail


# --- Giving the invoices right ------------------------------------------------------------------


def test_the_invoices_right_is_given_on_the_contacts_page_and_in_an_invitation(cast, login):
    from portal import services as portal_services

    client = login(cast.admin_a)
    url = reverse("portal:team_member", args=[cast.contact_x_all.uuid])
    page = client.get(url).content.decode()
    assert "Ziet de facturen" in page
    client.post(url, {"first_name": "Petra", "last_name": "Dijk", "sees_invoices": "on"})
    assert EmployerContact.objects.get(user=cast.contact_x_all).sees_invoices
    client.post(url, {"first_name": "Petra", "last_name": "Dijk"})  # unticked
    assert not EmployerContact.objects.get(user=cast.contact_x_all).sees_invoices
    # A specialist's page has no such box, and the service refuses it for them.
    assert (
        "Ziet de facturen"
        not in client.get(
            reverse("portal:team_member", args=[cast.specialist_a.uuid])
        ).content.decode()
    )

    invitation = portal_services.invitation_create(
        actor=cast.admin_a, email="nieuw@x.example", first_name="Nina", last_name="Nieuw",
        role="employer_contact", language="nl", employer=cast.employer_x, sees_invoices=True,
    )  # fmt: skip
    user = portal_services.invitation_accept(invitation=invitation, password="Correct-Horse-42!")
    assert EmployerContact.objects.get(user=user).sees_invoices


def test_the_admin_sets_prices_and_an_hourly_rate(billing, login):
    cast = billing.cast
    client = login(cast.admin_a)
    page = client.get(reverse("facturen:prices")).content.decode()
    assert "uurtarief" in page.lower()
    data = {
        "price_base_3m": "1850.00",
        "price_base_6m": "2750.00",
        "price_renewal": "335.00",
        "price_feasibility": "0",
        "hourly_feasibility": "-5",
    }
    refused = client.post(reverse("facturen:prices"), data)
    assert refused.status_code == 400
    assert "Vul een uurtarief boven 0 in" in refused.content.decode()
    assert Product.objects.get(agency=cast.agency_a, kind="base_3m").price == Decimal("1775.00")
    client.post(reverse("facturen:prices"), {**data, "hourly_feasibility": "95"})
    assert Product.objects.get(agency=cast.agency_a, kind="feasibility").hourly_rate == 95
    x = invoice_of(propose(cast.admin_a), cast.employer_x)
    assert {line.unit_price for line in x.lines.all()} == {Decimal("1850.00")}
    assert login(cast.specialist_a).get(reverse("facturen:prices")).status_code == 404
    # Another agency's admin sets their own agency's prices, never these.
    login(cast.admin_b).post(
        reverse("facturen:prices"), {**data, "price_base_3m": "999", "hourly_feasibility": ""}
    )
    assert Product.objects.get(agency=cast.agency_a, kind="base_3m").price == Decimal("1850.00")
    assert Product.objects.get(agency=cast.agency_b, kind="base_3m").price == Decimal("999.00")


def test_issuing_all_names_what_was_refused_and_says_issued_only_for_what_was(billing, login):
    from facturen.models import BillingAddress

    cast = billing.cast
    BillingAddress.objects.filter(employer=cast.employer_y).delete()
    propose(cast.admin_a)
    client = login(cast.admin_a)
    page = client.post(reverse("facturen:issue_all"), follow=True).content.decode()
    assert "Employer Y: Vul eerst het factuuradres van Employer Y in." in page
    assert "1 factuur uitgegeven." in page
    page = client.post(reverse("facturen:issue_all"), follow=True).content.decode()
    assert "uitgegeven." not in page  # nothing issued: not said
    assert Invoice.objects.filter(status="draft", employer=cast.employer_y).exists()


def test_the_billing_overview_and_the_invoices_agree_for_the_same_month(billing, login):
    """Figures agree: what the Billing page says November earned is what the invoices up to
    30 November bill (a product billed by the hour has no base fee on either)."""
    cast = billing.cast
    Renewal.objects.create(
        trajectory=cast.traj_x1, period_start=datetime.date(2026, 11, 20), price=Decimal("335")
    )
    hourly = Product.objects.get(agency=cast.agency_a, kind="base_6m")
    hourly.hourly_rate = Decimal("90")
    hourly.save()
    TrajectoryFactory(
        legal_entity=cast.y1,
        employee=EmployeeFactory(agency=cast.agency_a),
        product=hourly,
        start_date=datetime.date(2026, 11, 12),
    )
    invoiced = sum((i.net_total for i in propose(cast.admin_a)), Decimal(0))
    page = login(cast.admin_a).get(
        reverse("dashboards:billing"), {"start": "2026-11-01", "end": "2026-11-30"}
    )
    assert invoiced == Decimal("5660.00")  # 3 x 1,775 + 335
    assert "€ 5.660,00" in page.content.decode()
