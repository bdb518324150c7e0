"""The plain-text part and the subject of every email read as written: no HTML entities (issue
38, item 12: a name with quotes arrived as "Vries&quot;"). The HTML part stays escaped."""

from django.core import mail

from portal import notices
from portal.services import employee_invite
from tests.factories import EmployeeFactory


def test_a_name_with_quotes_and_an_ampersand_reads_as_written_in_text_and_escaped_in_html(cast):
    employee = EmployeeFactory(
        agency=cast.agency_a, first_name='Jan "Jantje" & <Co>', email="jan.q@example.nl"
    )
    employee_invite(employee=employee, invited_by=cast.admin_a)
    from portal.tasks import send_invitation_email

    invitation = cast.agency_a.invitations.get(email="jan.q@example.nl")
    send_invitation_email(invitation.pk, agency_id=cast.agency_a.pk)
    message = mail.outbox[-1]
    assert 'Jan "Jantje" & <Co>' in message.body
    assert "&quot;" not in message.body and "&amp;" not in message.body
    html = message.alternatives[0][0]
    assert "&lt;Co&gt;" in html and "<Co>" not in html


def test_the_subject_is_plain_text_too():
    subject, text, _html = notices.render(
        "portal/email/invitation",
        {"invitation": type("I", (), {"agency": type("A", (), {"name": "Bureau & Co"})(),
                                      "first_name": "A", "get_role_display": "x"})(),
         "link": "http://x"},
        language="nl",
    )  # fmt: skip
    assert "Bureau & Co" in subject + text and "&amp;" not in subject + text
