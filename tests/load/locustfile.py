"""Mixed traffic against a running Spoorboek (``make load``): employees record applications on
their phone, employer contacts keep their dashboard open (it polls for changes), specialists
work through their caseload and log conversations. Every simulated user logs in for real
(password, and TOTP for staff and employers) with an account of its own from the file that
``manage.py loadtest_setup`` wrote. Not collected by pytest (its name does not start with
test_).

The users are locust's ``FastHttpUser`` (geventhttpclient): locust runs on the same two cores
as the server here, so its own side should cost as little as it can. Its response's ``url``
is the one asked for, not where a redirect led, so a login is judged by the form it answers
with and a form by its error summary.

The server runs the production settings (tests/load/run.sh) as if behind the TLS proxy:
every request says ``X-Forwarded-Proto: https`` as the proxy does, a form is posted with the
Referer a browser sends (Django's CSRF check insists on it under HTTPS), and the secure
cookies are sent back although this leg is plain HTTP on loopback."""

import itertools
import json
import os
import random
import re
from collections import Counter
from datetime import date
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import urlencode

import pyotp
from locust import FastHttpUser, between, task
from locust.exception import StopUser

ACCOUNTS = json.loads(open(os.environ.get("LOAD_USERS", "var/load-users.json")).read())  # noqa: SIM115
POOLS = {
    role: itertools.cycle(ACCOUNTS[role]) for role in ("employees", "employers", "specialists")
}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
POLL = re.compile(r'hx-get="([^"]+)"')
#: The login and two-factor forms (their fields), which answer a login that did not succeed.
LOGIN_FORM = re.compile(r'name="(?:password|code)"')
#: The summary at the top of a form that was not saved (templates/portal/_error_summary.html).
NOT_SAVED = 'class="error-summary"'
#: How the polls were answered: 204 (nothing changed) or 200 (the live part again).
POLL_ANSWERS: Counter = Counter()
#: Simulated users that have logged in and opened their first page (tests/load/steps.py
#: measures a step only once all its newcomers are there).
READY: Counter = Counter()


class BehindTheProxy(DefaultCookiePolicy):
    """The session and CSRF cookies are ``Secure``; the proxy's leg to the server is plain
    HTTP on loopback, where a browser never is, so they are sent back all the same."""

    def return_ok_secure(self, cookie, request) -> bool:
        return True


#: ``LOAD_PACE``: how quickly the employees and specialists go from page to page. ``stress``
#: (the default, as measured since #21): 1 to 4 seconds, without pause, the work of some ten
#: people each (recording an application or a conversation takes a person minutes);
#: ``people``: 5 to 15 seconds, a person going briskly through their pages. The employer
#: contacts' dashboards poll every 3 seconds either way.
PACES = {"stress": (1, 4), "people": (5, 15)}
PACE = PACES[os.environ.get("LOAD_PACE", "stress")]


class Portal(FastHttpUser):
    abstract = True
    wait_time = between(*PACE)
    pool = ""
    default_headers = {"X-Forwarded-Proto": "https"}

    def form(self, url: str, **fields) -> dict:
        """A form's fields as a browser posts them (geventhttpclient sends bytes, not dicts),
        with the Referer of the page it came from."""
        return {
            "data": urlencode(fields),
            "headers": {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": "https://" + self.host.split("://", 1)[-1] + url,
            },
        }

    def on_start(self):
        self.client.cookiejar.set_policy(BehindTheProxy())
        self.account = next(POOLS[self.pool])
        page = self.client.get("/accounts/login/", name="login page")
        page = self.client.post(
            "/accounts/login/",
            **self.form(
                "/accounts/login/",
                login=self.account["email"],
                password=ACCOUNTS["password"],
                csrfmiddlewaretoken=self.csrf(page.text),
            ),
            name="login",
        )
        if "secret" in self.account:
            page = self.client.post(
                "/accounts/2fa/authenticate/",
                **self.form(
                    "/accounts/2fa/authenticate/",
                    code=pyotp.TOTP(self.account["secret"]).now(),
                    csrfmiddlewaretoken=self.csrf(page.text),
                ),
                name="login: two-factor code",
            )
        if LOGIN_FORM.search(page.text):  # the password or the code asked again
            raise StopUser(f"could not log in as {self.account['email']}")
        self.landing = page  # the login ends on the home page
        READY["users"] += 1

    def submit(self, url: str, data: dict, *, name: str) -> None:
        """Open a form and post it back, as a browser does; a form that comes back unsaved
        counts as a failure."""
        page = self.client.get(url, name=f"{name}: form")
        fields = self.form(url, **data, csrfmiddlewaretoken=self.csrf(page.text))
        with self.client.post(url, **fields, name=name, catch_response=True) as response:
            if response.status_code != 200 or NOT_SAVED in response.text:
                response.failure(f"{name}: not saved ({response.status_code})")

    @staticmethod
    def csrf(html: str) -> str:
        match = CSRF.search(html)
        return match.group(1) if match else ""


class Employee(Portal):
    """Records an application on a phone, now and then looks at their applications."""

    weight = 5
    pool = "employees"

    @task(3)
    def record_application(self):
        self.submit(
            f"/sollicitaties/traject/{self.account['trajectory']}/nieuw/",
            {
                "kind": "written_application",
                "date": date.today().isoformat(),
                "status": "sent",
                "organisation": f"Bedrijf {random.randrange(10**6)}",
                "vacancy_title": "Magazijnmedewerker",
            },
            name="record application",
        )

    @task(1)
    def my_applications(self):
        self.client.get("/sollicitaties/", name="my applications")


class EmployerContact(Portal):
    """Opens the dashboard over all BVs and keeps it open: it polls every 3 seconds."""

    weight = 3
    pool = "employers"
    wait_time = between(3, 3)

    def on_start(self):
        super().on_start()
        self.poll = self.poll_url(self.landing.text)  # the login ends on the dashboard

    def open_dashboard(self) -> None:
        self.poll = self.poll_url(self.client.get("/", name="employer dashboard").text)

    @staticmethod
    def poll_url(html: str) -> str | None:
        match = POLL.search(html)
        return match.group(1).replace("&amp;", "&") if match else None

    @task
    def dashboard(self):
        if self.poll is None or random.random() < 0.05:
            self.open_dashboard()
            return
        with self.client.get(
            self.poll, headers={"HX-Request": "true"}, name="dashboard poll", catch_response=True
        ) as response:
            POLL_ANSWERS[response.status_code] += 1
            if response.status_code not in (200, 204):
                response.failure(f"poll answered {response.status_code}")
            elif response.status_code == 200:
                self.poll = self.poll_url(response.text)


class Specialist(Portal):
    """Goes through the caseload, opens a file and logs a conversation."""

    weight = 2
    pool = "specialists"

    @task(2)
    def caseload(self):
        self.client.get("/trajecten/", name="caseload")
        self.client.get("/", name="specialist's day")

    @task(1)
    def log_conversation(self):
        uuid = self.account["trajectory"]
        self.client.get(f"/trajecten/{uuid}/", name="trajectory file")
        self.submit(
            f"/trajecten/{uuid}/gesprek/nieuw/",
            {
                "summary": "Vacatures doorgenomen en sollicitaties voorbereid.",
                "agreements": "Twee sollicitaties deze week.",
                "date": date.today().isoformat(),
                "kind": "coaching",
                "duration_minutes": "45",
                "visibility": "employee",
            },
            name="log conversation",
        )
