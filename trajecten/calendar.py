"""iCalendar (RFC 5545) output through the icalendar package."""

from django.conf import settings
from icalendar import Calendar, Event


def appointments_ics(appointments) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Spoorboek//NL")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Spoorboek")
    for appointment in appointments:
        event = Event()
        event.add("uid", f"{appointment.uuid}@{settings.SITE_URL.split('//')[-1]}")
        event.add("summary", appointment.subject)
        event.add("dtstart", appointment.starts_at)
        event.add("dtend", appointment.ends_at)
        event.add("dtstamp", appointment.updated_at)
        event.add("location", appointment.location)
        if appointment.with_whom:
            event.add("description", appointment.with_whom)
        cal.add_component(event)
    return cal.to_ical()
