"""Mixed traffic against a running Spoorboek (``make load``): employees record applications on
their phone, employer contacts keep their dashboard open (it polls for changes), specialists
work through their caseload and log conversations. Every simulated user logs in for real
(password, and TOTP for staff and employers) with an account of its own from the file that
``manage.py loadtest_setup`` wrote. Not collected by pytest (its name does not start with
test_)."""

import itertools
import json
import os
import random
import re
from collections import Counter
from datetime import date

import pyotp
from locust import HttpUser, between, task
from locust.exception import StopUser

ACCOUNTS = json.loads(open(os.environ.get("LOAD_USERS", "var/load-users.json")).read())  # noqa: SIM115
POOLS = {
    role: itertools.cycle(ACCOUNTS[role]) for role in ("employees", "employers", "specialists")
}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
POLL = re.compile(r'hx-get="([^"]+)"')
#: How the polls were answered: 204 (nothing changed) or 200 (the live part again).
POLL_ANSWERS: Counter = Counter()
#: Simulated users that have logged in and opened their first page (tests/load/steps.py
#: measures a step only once all its newcomers are there).
READY: Counter = Counter()


class Portal(HttpUser):
    abstract = True
    wait_time = between(1, 4)
    pool = ""

    def on_start(self):
        self.account = next(POOLS[self.pool])
        page = self.client.get("/accounts/login/", name="login page")
        page = self.client.post(
            "/accounts/login/",
            {
                "login": self.account["email"],
                "password": ACCOUNTS["password"],
                "csrfmiddlewaretoken": self.csrf(page.text),
            },
            name="login",
        )
        if "secret" in self.account:
            page = self.client.post(
                "/accounts/2fa/authenticate/",
                {
                    "code": pyotp.TOTP(self.account["secret"]).now(),
                    "csrfmiddlewaretoken": self.csrf(page.text),
                },
                name="login: two-factor code",
            )
        if "/accounts/" in page.url:
            raise StopUser(f"could not log in as {self.account['email']}")
        self.landing = page  # the login ends on the home page
        READY["users"] += 1

    def submit(self, url: str, data: dict, *, name: str) -> None:
        """Open a form and post it back, as a browser does; a form that comes back unsaved
        counts as a failure."""
        form = self.client.get(url, name=f"{name}: form")
        data = {**data, "csrfmiddlewaretoken": self.csrf(form.text)}
        with self.client.post(url, data, name=name, catch_response=True) as response:
            if "/nieuw/" in response.url:
                response.failure(f"{name}: not saved")

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
