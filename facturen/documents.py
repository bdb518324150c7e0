"""An issued invoice as its documents: the PDF in the agency's style, the UBL e-invoice
(``facturen.ubl``) and the rows of the bookkeeping CSV. Every document is made from what the
invoice froze when it was issued, so it reads the same whenever it is downloaded."""

from decimal import Decimal

from django.http import Http404, HttpResponse
from django.utils.formats import number_format
from stdnum import iban as iban_number

from portal import audit
from portal.constants import AuditAction
from portal.downloads import content_disposition, download_name
from rapportages.pdf import logo_data_uri, render_to_pdf

from . import ubl
from .models import Invoice
from .services import vat_breakdown


def _euro(value: Decimal) -> str:
    return number_format(value, 2, use_l10n=True, force_grouping=True)


def _lines(invoice: Invoice):
    return list(invoice.lines.all())


def title(invoice: Invoice) -> str:
    return "Creditnota" if invoice.is_credit_note else "Factuur"


def pdf(invoice: Invoice) -> bytes:
    from django.utils import translation

    with translation.override("nl"):  # a Dutch document, whoever downloads it
        lines = _lines(invoice)
        for line in lines:
            line.quantity_text = (
                f"{number_format(line.quantity.normalize(), use_l10n=True)} uur"
                if line.unit == "HUR"
                else number_format(line.quantity.normalize(), use_l10n=True)
            )
            line.unit_price_text = _euro(line.unit_price)
            line.vat_text = f"{line.vat_rate.normalize()}%"
            line.amount_text = _euro(line.net_amount)
        context = {
            "invoice": invoice,
            "title": title(invoice),
            "lines": lines,
            "iban": iban_number.format(invoice.seller.get("iban", "")),
            "logo": logo_data_uri(invoice.agency),
            "totals": {
                "net": _euro(invoice.net_total),
                "vat": [
                    (rate.normalize(), _euro(net), _euro(vat))
                    for rate, net, vat in vat_breakdown(lines)
                ],
                "gross": _euro(invoice.gross_total),
            },
        }
        return render_to_pdf("facturen/pdf/invoice.html", context)[1]


def xml(invoice: Invoice) -> bytes:
    return ubl.document(invoice, _lines(invoice))


FORMATS = {"pdf": (pdf, "application/pdf"), "xml": (xml, "application/xml")}


def download(invoice: Invoice, extension: str, *, api: bool = False) -> HttpResponse:
    """An issued invoice as ``extension`` (pdf or xml), audited; a proposal has no number yet,
    so nothing to send: 404. The pages and the API answer with this."""
    if invoice.is_draft:
        raise Http404
    make, content_type = FORMATS[extension]
    audit.record(
        AuditAction.DOWNLOAD,
        invoice,
        details={"format": extension, **({"api": True} if api else {})},
    )
    response = HttpResponse(make(invoice), content_type=content_type)
    response["Content-Disposition"] = content_disposition(
        download_name(title(invoice).lower(), invoice.number, ext=extension)
    )
    return response


CSV_HEADER = ["number", "kind", "issue_date", "due_date", "credits", "buyer", "buyer_kvk",
              "line", "description", "quantity", "unit", "unit_price", "vat_rate",
              "net_amount", "vat_amount"]  # fmt: skip


def csv_rows(invoices) -> list[list]:
    """One row per line, credit notes negative, for a bookkeeping import. The VAT of a line
    is its share of its rate (the invoice's VAT is taken per rate: ``vat_breakdown``), so the
    rows of an invoice can differ a cent from its total; the total row per invoice is exact."""
    rows = [CSV_HEADER]
    for invoice in invoices:
        sign = invoice.sign()
        lines = list(invoice.lines.all())
        for line in lines:
            rows.append(
                [
                    invoice.number,
                    invoice.kind,
                    invoice.issue_date.isoformat(),
                    invoice.due_date.isoformat() if invoice.due_date else "",
                    invoice.credits.number if invoice.credits_id else "",
                    invoice.buyer.get("name", ""),
                    invoice.buyer.get("kvk_number", ""),
                    line.position,
                    line.description,
                    line.quantity,
                    line.unit,
                    line.unit_price,
                    line.vat_rate,
                    sign * line.net_amount,
                    sign * (line.net_amount * line.vat_rate / 100).quantize(Decimal("0.01")),
                ]
            )
        rows.append(
            [invoice.number, invoice.kind, invoice.issue_date.isoformat(), "", "",
             invoice.buyer.get("name", ""), "", "total", "", "", "", "", "",
             sign * invoice.net_total, sign * invoice.vat_total]
        )  # fmt: skip
    return rows
