"""Dutch dates in one short form everywhere: "07-12-2026", as the reports for UWV print them
(``rapportages.content.short_day``), so a table on a page and the same table in a PDF agree
and columns of dates line up. Django's ``nl`` prints "7-12-2026" (no leading zeros)."""

from django.conf.locale.nl.formats import *  # noqa: F403

SHORT_DATE_FORMAT = "d-m-Y"
SHORT_DATETIME_FORMAT = "d-m-Y H:i"
