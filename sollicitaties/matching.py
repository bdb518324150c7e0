"""Suggest vacancies for a trajectory from its search profile: functions first, then region
and hours.

A vacancy is only ever suggested for a **function** of the profile; region and hours make a
good match better but never make one on their own (a logistics worker is not offered
"Verpleegkundige – UMC Utrecht" because both are in Utrecht). Scoring (0-100):

* function (required): 60 when the function's title is in the vacancy's title or category
  ("Planner" in "Planner transport", or as the head of a compound: "transportplanner"); 45 when
  a related title of the same occupation group is (``data/function_groups_nl.txt``, grouped
  along CBS's Beroepenindeling ROA-CBS: "Medewerker klantenservice" and
  "klantcontactmedewerker"); 35 when a distinctive word of the title is;
* region 25: the vacancy's place is named in the profile's region;
* hours 15: within 4 hours of the profile's hours per week.

Each part that matched is named in the reason, with the function it matched. The database
does the coarse filtering (open vacancies whose title or category holds a function, a related
title or a function's word), Python the scoring.
"""

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from django.db.models import Q, QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext as _

STOPWORDS = {"en", "de", "het", "van", "in", "op", "medewerker", "and", "the", "of", "mbo", "hbo"}
MIN_SCORE = 35
GROUPS_FILE = Path(__file__).parent / "data" / "function_groups_nl.txt"


@dataclass(frozen=True)
class Suggestion:
    vacancy: object
    score: int
    reason: str


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[\w-]{3,}", text.lower()) if w not in STOPWORDS}


@cache
def _groups() -> tuple[frozenset[str], ...]:
    groups = []
    for line in GROUPS_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            titles = line.split(":", 1)[1]
            groups.append(frozenset(t.strip() for t in titles.split("|") if t.strip()))
    return tuple(groups)


def related_titles(title: str) -> set[str]:
    """The other titles of every occupation group ``title`` belongs to."""
    title = title.strip().lower()
    return {t for group in _groups() if title in group for t in group} - {title}


def _ending_a_word(phrase: str) -> re.Pattern:
    """``phrase`` ending a word: as words, in the plural, or as the head of a Dutch compound
    ("planner" in "transportplanners"), never as a fragment ("kok" is not in "kokosnoot")."""
    return re.compile(rf"{re.escape(phrase.lower())}(?:s|en)?\b")


@dataclass(frozen=True)
class _Function:
    """A profile function, prepared once per suggestion run (not once per vacancy)."""

    title: str
    exact: re.Pattern
    related: tuple[tuple[str, re.Pattern], ...]
    words: frozenset[str]

    @classmethod
    def of(cls, title: str) -> "_Function":
        related = tuple((r, _ending_a_word(r)) for r in sorted(related_titles(title)))
        return cls(title, _ending_a_word(title), related, frozenset(_words(title)))

    def match(self, haystack: str, words: set[str]):
        if self.exact.search(haystack):
            return 60, _("matches the function '%(f)s'") % {"f": self.title}
        for related, pattern in self.related:
            if pattern.search(haystack):
                return 45, _("related to the function '%(f)s' (%(related)s)") % {
                    "f": self.title, "related": related}  # fmt: skip
        if self.words & words:
            return 35, _("resembles the function '%(f)s'") % {"f": self.title}
        return None


def _function_match(functions: list[_Function], haystack: str):
    """The best (score, reason) of any function for this vacancy, or None."""
    words = _words(haystack)
    found = [m for f in functions if (m := f.match(haystack, words))]
    return max(found, key=lambda m: m[0]) if found else None


def suggest(*, profile, functions, vacancies: QuerySet, today: date, limit: int = 20):
    titles = [f.title for f in functions if f.title.strip()]
    if not titles:
        return []  # nothing to match on: region alone never suggests a vacancy
    phrases = set(titles) | {r for t in titles for r in related_titles(t)}
    needles = {p.lower() for p in phrases} | set().union(*(_words(t) for t in titles))
    coarse = Q()
    for needle in needles:
        coarse |= Q(title__icontains=needle) | Q(function_category__icontains=needle)
    candidates = (
        vacancies.filter(coarse)
        .filter(Q(closing_date__isnull=True) | Q(closing_date__gte=today))
        .only("uuid", "title", "organisation", "place", "hours_per_week", "url",
              "function_category", "closing_date")[:5000]
    )  # fmt: skip
    region_words = _words(profile.region)
    prepared = [_Function.of(t) for t in titles]
    suggestions = []
    for vacancy in candidates:
        haystack = f"{vacancy.title} {vacancy.function_category}".lower()
        function = _function_match(prepared, haystack)
        if function is None:
            continue
        score, reasons = function[0], [function[1]]
        if _words(vacancy.place) & region_words:
            score += 25
            reasons.append(_("in the region (%(place)s)") % {"place": vacancy.place})
        hours, wanted = vacancy.hours_per_week, profile.hours_per_week
        if hours and wanted and abs(hours - wanted) <= 4:
            score += 15
            reasons.append(_("%(h)s hours a week fits") % {"h": number_format(hours.normalize())})
        if score >= MIN_SCORE:
            suggestions.append(Suggestion(vacancy, score, "; ".join(reasons)))
    suggestions.sort(key=lambda s: (-s.score, s.vacancy.title))
    return suggestions[:limit]
