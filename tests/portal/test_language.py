"""One language per user from login on, British English, plural forms."""

from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import formats, translation

from portal.models import User
from tests.factories import PASSWORD
from trajecten.models import Assignment, Task


def test_the_login_message_follows_the_account_not_the_browser(cast, client):
    User.objects.filter(pk=cast.employee_x1.pk).update(language="pl")
    response = client.post(
        reverse("account_login"),
        {"login": cast.employee_x1.email, "password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    html = response.content.decode()
    assert 'lang="pl"' in html
    messages = [str(m) for m in response.context["messages"]]
    assert messages and "Successfully signed in" not in messages[0]
    with translation.override("pl"):
        assert any("Zalogowano" in m for m in messages), messages


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        (date(2026, 11, 3), "DATE_FORMAT", "3 November 2026"),
        (date(2026, 11, 3), "SHORT_DATE_FORMAT", "03/11/2026"),
        (datetime(2026, 11, 3, 14, 5), "TIME_FORMAT", "14:05"),
        (datetime(2026, 11, 3, 14, 5), "SHORT_DATETIME_FORMAT", "03/11/2026 14:05"),
    ],
)
def test_english_dates_are_british_with_24_hour_times(value, fmt, expected):
    with translation.override("en"):
        assert formats.date_format(value, fmt) == expected


def test_english_forms_read_a_british_date(cast, login):
    from django import forms

    class Form(forms.Form):
        day = forms.DateField()

    with translation.override("en"):
        form = Form({"day": "03/11/2026"})
        assert form.is_valid() and form.cleaned_data["day"] == date(2026, 11, 3)


@pytest.mark.parametrize(
    ("language", "one", "two"),
    [("nl", "1 taak, 1 opdracht", "2 taken, 2 opdrachten"),
     ("en", "1 task, 1 assignment", "2 tasks, 2 assignments")],
)  # fmt: skip
def test_a_count_agrees_with_its_noun(cast, login, language, one, two):
    User.objects.filter(pk=cast.specialist_a.pk).update(language=language)
    client = login(cast.specialist_a)
    day = date(2020, 1, 1)
    Task.objects.create(trajectory=cast.traj_x1, title="Bellen", due_date=day)
    Assignment.objects.create(trajectory=cast.traj_x1, title="Cv", due_date=day)
    assert one in client.get(reverse("trajecten:list")).content.decode()
    Task.objects.create(trajectory=cast.traj_x1, title="Mailen", due_date=day)
    Assignment.objects.create(trajectory=cast.traj_x1, title="Brief", due_date=day)
    assert two in client.get(reverse("trajecten:list")).content.decode()
