"""Suggest vacancies for a trajectory from its search profile: functions, region and hours.

Scoring (0-100): function 60 (a function title, or its words, in the vacancy title or
category), region 25 (the vacancy's place named in the profile's region), hours 15 (within
4 hours of the profile's hours per week). Each part that matched is named in the reason.
The database does the coarse filtering (open vacancies whose title, category or place share a
word with the profile), Python the scoring.
"""

import re
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext as _

STOPWORDS = {"en", "de", "het", "van", "in", "op", "medewerker", "and", "the", "of"}
MIN_SCORE = 25


@dataclass(frozen=True)
class Suggestion:
    vacancy: object
    score: int
    reason: str


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[\w-]{3,}", text.lower()) if w not in STOPWORDS}


def suggest(*, profile, functions, vacancies: QuerySet, today: date, limit: int = 20):
    titles = [f.title for f in functions]
    function_words = set().union(*(_words(t) for t in titles)) if titles else set()
    region_words = _words(profile.region)
    if not (function_words or region_words):
        return []
    coarse = Q()
    for word in function_words:
        coarse |= Q(title__icontains=word) | Q(function_category__icontains=word)
    for word in region_words:
        coarse |= Q(place__icontains=word)
    candidates = (
        vacancies.filter(coarse)
        .filter(Q(closing_date__isnull=True) | Q(closing_date__gte=today))
        .only("uuid", "title", "organisation", "place", "hours_per_week", "url",
              "function_category", "closing_date")[:5000]
    )  # fmt: skip
    suggestions = []
    for vacancy in candidates:
        score, reasons = 0, []
        haystack = f"{vacancy.title} {vacancy.function_category}".lower()
        exact = next((t for t in titles if t.lower() in haystack), None)
        if exact:
            score += 60
            reasons.append(_("matches the function '%(f)s'") % {"f": exact})
        elif function_words & _words(haystack):
            score += 35
            reasons.append(_("resembles a function in the search profile"))
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
