"""Email notices: the one way Spoorboek sends mail.

Every email is three templates beside each other, ``<name>_subject.txt``, ``<name>_body.txt``
and ``<name>_body.html`` (extending ``email/base.html``), rendered in the recipient's language
and sent as one multipart message. The text lives in the templates, never in task code.
Sending raises on failure (``OSError``, of which ``smtplib.SMTPException`` is one), so the
task that sends retries, and whatever records "sent" does so only after this returned."""

from contextlib import contextmanager

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def render(template: str, context: dict, *, language: str) -> tuple[str, str, str]:
    """(subject, text, html) of the email ``template`` in ``language``."""
    with translation.override(language):
        # Plain text is rendered without HTML escaping (the "text" engine); the HTML part is.
        subject = render_to_string(f"{template}_subject.txt", context, using="text")
        subject = " ".join(subject.split())
        text = render_to_string(f"{template}_body.txt", context, using="text")
        html = render_to_string(f"{template}_body.html", {**context, "subject": subject})
    return subject, text, html


def send(template: str, context: dict, *, to: list[str], language: str, cc=()) -> None:
    subject, text, html = render(template, context, language=language)
    message = EmailMultiAlternatives(subject, text, None, to, cc=list(cc))
    message.attach_alternative(html, "text/html")
    message.send()


@contextmanager
def retried(task):
    """The one shape of a task that sends a notice: inside a bound Celery task, a mail server
    that fails (``OSError``) retries the task (its ``max_retries`` and delay), and nothing
    after the failed send runs, so whatever records "sent" waits for the retry."""
    try:
        yield
    except OSError as exc:
        raise task.retry(exc=exc) from exc
