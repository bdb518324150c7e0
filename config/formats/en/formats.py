"""English as a Dutch portal's English-speaking users read it: British dates (day before
month, "30 November 2026", "30/11/2026") and 24-hour times, the same on every page and in
every email. Django's ``en`` is American and its ``en_GB`` keeps 12-hour times ("p.m."),
which no Dutch office uses; both are replaced here (``FORMAT_MODULE_PATH``)."""

from django.conf.locale.en_GB.formats import *  # noqa: F403

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
# Accept what a British or Dutch user types, and the ISO dates date pickers send.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d/%m/%y"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d-%m-%Y %H:%M",
]
