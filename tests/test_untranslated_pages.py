"""Every page of every role reads in English and Polish (issue 40, item 5): the demo's pages
are crawled as an agency admin, a specialist, an employer contact and an employee in en and pl,
and none may show a sentence of the Dutch catalogue. A report's own text is Dutch by design
(it goes to UWV: ``lang="nl"``) and is left out, as are the people's own words (data)."""

import re
from collections import deque
from pathlib import Path
from urllib.parse import urldefrag, urlparse

import polib
from django.core.management import call_command

from portal.models import User

LOCALE = Path(__file__).resolve().parents[1] / "locale"
ROLES = ["beheer@spoorwerk.example", "sanne@spoorwerk.example", "hr.vandijk@spoorwerk.example",
         "kees.jansen@spoorwerk.example"]  # fmt: skip
#: Pages per role and language: enough to reach every kind of page from the home page.
PAGES = 45
#: Not crawled: downloads, the API, and the audit trail (it records what was, as it was named at
#: the moment: a report's name in the language of whoever acted).
SKIP = re.compile(r"/(accounts/logout|platform-admin|api/|static/|media/|beheer/audit)|"
                  r"\.(pdf|csv|ics|zip)$|"
                  r"/(download|bestand|export|pdf|voorbeeld|bundel)/?")  # fmt: skip


def _dutch_sentences() -> list[str]:
    """Fixed phrases of the Dutch catalogue that differ from English (the msgid) and from the
    other catalogues (names and legal terms stay Dutch everywhere)."""
    other = set()
    for language in ("en", "pl"):
        for e in polib.pofile(LOCALE / language / "LC_MESSAGES" / "django.po"):
            other.update([e.msgstr, *e.msgstr_plural.values()])
    found = set()
    for e in polib.pofile(LOCALE / "nl" / "LC_MESSAGES" / "django.po"):
        for text in (e.msgstr, *e.msgstr_plural.values()):
            if not text or text == e.msgid or text in other:
                continue
            for chunk in re.split(r"%\(\w+\)[sd]|%[sd]|\{[^}]*\}|<[^>]+>", text):
                chunk = chunk.strip(" .,:;()")
                if len(chunk) >= 18 and " " in chunk:
                    found.add(chunk)
    return sorted(found)


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    # The report's own text goes to UWV in Dutch; the people's own words are data.
    html = re.sub(r'<article class="report-preview" lang="nl">.*?</article>', " ", html,
                  flags=re.S)  # fmt: skip
    html = re.sub(r'<[^>]+lang="nl"[^>]*>.*?</[a-z]+>', " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_no_dutch_sentence_on_an_english_or_polish_page(db, client, settings):
    settings.EMBEDDED = True
    call_command("seed_demo", "--quiet")
    sentences = _dutch_sentences()
    found = {}
    for email in ROLES:
        for language in ("en", "pl"):
            user = User.objects.get(email=email)
            User.objects.filter(pk=user.pk).update(language=language)
            client.force_login(user)
            seen = _crawl(client, language, sentences, found, label=f"{email} {language}")
            assert len(seen) > 10, (email, language)
    assert not found, found


def _crawl(client, language, sentences, found, *, label) -> set:
    seen, queue = set(), deque(["/"])
    while queue and len(seen) < PAGES:
        url = queue.popleft()
        if url in seen or SKIP.search(url):
            continue
        seen.add(url)
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        text = _visible_text(html)
        for sentence in sentences:
            if sentence in text:
                found.setdefault(sentence, f"{label} {url}")
        for href in re.findall(r'href="(/[^"]*)"', html):
            link = urldefrag(href)[0]
            if urlparse(link).path and link not in seen:
                queue.append(link)
    return seen
