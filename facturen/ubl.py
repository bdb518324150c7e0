"""An issued invoice or credit note as a UBL 2.1 e-invoice following NLCIUS (SI-UBL 2.0, the
Dutch government's use of EN 16931): ``Invoice`` (type 380) or ``CreditNote`` (type 381).

Written with the standard library's ElementTree in the order the UBL 2.1 schema fixes; the
tests check every document against the OASIS UBL 2.1 XSD and the NLCIUS rules we rely on:

* BR-NL-1: the seller's KvK number as ``PartyLegalEntity/CompanyID`` with scheme 0106;
* BR-NL-3/4: street, city and postcode of the seller, and of a Dutch buyer;
* BR-NL-10: a KvK number (0106) for a Dutch buyer when it is known;
* BR-NL-29: payment by credit transfer (code 30) to the seller's IBAN;
* BR-NL-34/35: a credit note names the invoice it corrects (``BillingReference``).
"""

from xml.etree import ElementTree as ET

from .models import Invoice
from .services import vat_breakdown

NS = {
    "": None,
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0"
PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
KVK_SCHEME = "0106"
CURRENCY = "EUR"

ET.register_namespace("cac", NS["cac"])
ET.register_namespace("cbc", NS["cbc"])


def _el(parent, tag: str, text=None, **attrs):
    prefix, name = tag.split(":")
    element = ET.SubElement(parent, f"{{{NS[prefix]}}}{name}", attrs)
    if text is not None:
        element.text = str(text)
    return element


def _amount(parent, tag: str, value) -> None:
    _el(parent, tag, f"{value:.2f}", currencyID=CURRENCY)


def _party(parent, tag: str, party: dict, *, seller: bool) -> None:
    wrapper = _el(parent, tag)
    node = _el(wrapper, "cac:Party")
    if party.get("kvk_number"):
        _el(node, "cbc:EndpointID", party["kvk_number"], schemeID=KVK_SCHEME)
    if seller and party.get("trade_name") and party["trade_name"] != party["name"]:
        _el(_el(node, "cac:PartyName"), "cbc:Name", party["trade_name"])
    address = _el(node, "cac:PostalAddress")
    _el(address, "cbc:StreetName", party["street"])
    _el(address, "cbc:CityName", party["city"])
    _el(address, "cbc:PostalZone", party["postcode"])
    _el(_el(address, "cac:Country"), "cbc:IdentificationCode", party["country"])
    if party.get("vat_number"):
        scheme = _el(node, "cac:PartyTaxScheme")
        _el(scheme, "cbc:CompanyID", party["vat_number"])
        _el(_el(scheme, "cac:TaxScheme"), "cbc:ID", "VAT")
    legal = _el(node, "cac:PartyLegalEntity")
    _el(legal, "cbc:RegistrationName", party["name"])
    if party.get("kvk_number"):
        _el(legal, "cbc:CompanyID", party["kvk_number"], schemeID=KVK_SCHEME)
    if party.get("email"):
        _el(_el(node, "cac:Contact"), "cbc:ElectronicMail", party["email"])


def _tax_category(parent, tag: str, rate) -> None:
    category = _el(parent, tag)
    _el(category, "cbc:ID", "S" if rate > 0 else "Z")
    _el(category, "cbc:Percent", f"{rate:.2f}")
    _el(_el(category, "cac:TaxScheme"), "cbc:ID", "VAT")


def document(invoice: Invoice, lines) -> bytes:
    """The UBL XML of an issued ``invoice`` with its ``lines`` (in order)."""
    credit = invoice.is_credit_note
    root_ns = CREDIT_NOTE_NS if credit else INVOICE_NS
    # The document's own namespace as the default one (``<Invoice xmlns="...">``), as UBL
    # documents are written; ElementTree would give it a generated prefix otherwise.
    root = ET.Element("CreditNote" if credit else "Invoice", {"xmlns": root_ns})
    _el(root, "cbc:CustomizationID", CUSTOMIZATION)
    _el(root, "cbc:ProfileID", PROFILE)
    _el(root, "cbc:ID", invoice.number)
    _el(root, "cbc:IssueDate", invoice.issue_date.isoformat())
    if not credit:
        _el(root, "cbc:DueDate", invoice.due_date.isoformat())
        _el(root, "cbc:InvoiceTypeCode", "380")
    else:
        _el(root, "cbc:CreditNoteTypeCode", "381")
        _el(root, "cbc:Note", invoice.reason)
    _el(root, "cbc:DocumentCurrencyCode", CURRENCY)
    _el(root, "cbc:BuyerReference", invoice.buyer.get("reference") or invoice.number)
    if credit:
        reference = _el(_el(root, "cac:BillingReference"), "cac:InvoiceDocumentReference")
        _el(reference, "cbc:ID", invoice.credits.number)
        _el(reference, "cbc:IssueDate", invoice.credits.issue_date.isoformat())
    _party(root, "cac:AccountingSupplierParty", invoice.seller, seller=True)
    _party(root, "cac:AccountingCustomerParty", invoice.buyer, seller=False)
    means = _el(root, "cac:PaymentMeans")
    _el(means, "cbc:PaymentMeansCode", "30")
    _el(means, "cbc:PaymentID", invoice.number)
    account = _el(means, "cac:PayeeFinancialAccount")
    _el(account, "cbc:ID", invoice.seller["iban"])
    _el(account, "cbc:Name", invoice.seller["name"])
    if not credit:
        days = (invoice.due_date - invoice.issue_date).days
        _el(_el(root, "cac:PaymentTerms"), "cbc:Note", f"Betaling binnen {days} dagen")
    tax = _el(root, "cac:TaxTotal")
    _amount(tax, "cbc:TaxAmount", invoice.vat_total)
    for rate, net, vat in vat_breakdown(lines):
        subtotal = _el(tax, "cac:TaxSubtotal")
        _amount(subtotal, "cbc:TaxableAmount", net)
        _amount(subtotal, "cbc:TaxAmount", vat)
        _tax_category(subtotal, "cac:TaxCategory", rate)
    totals = _el(root, "cac:LegalMonetaryTotal")
    _amount(totals, "cbc:LineExtensionAmount", invoice.net_total)
    _amount(totals, "cbc:TaxExclusiveAmount", invoice.net_total)
    _amount(totals, "cbc:TaxInclusiveAmount", invoice.gross_total)
    _amount(totals, "cbc:PayableAmount", invoice.gross_total)
    for line in lines:
        node = _el(root, "cac:CreditNoteLine" if credit else "cac:InvoiceLine")
        _el(node, "cbc:ID", line.position)
        _el(
            node,
            "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity",
            f"{line.quantity:.2f}",
            unitCode=line.unit,
        )
        _amount(node, "cbc:LineExtensionAmount", line.net_amount)
        if line.period_start:
            period = _el(node, "cac:InvoicePeriod")
            _el(period, "cbc:StartDate", line.period_start.isoformat())
            _el(period, "cbc:EndDate", (line.period_end or line.period_start).isoformat())
        item = _el(node, "cac:Item")
        _el(item, "cbc:Name", line.description)
        _tax_category(item, "cac:ClassifiedTaxCategory", line.vat_rate)
        _amount(_el(node, "cac:Price"), "cbc:PriceAmount", line.unit_price)
    ET.indent(root)
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)
