"""The project's Celery app with beat's sweeper every second instead of every five minutes,
for the fault test that kills beat and a worker in the middle of their work
(``celery -A tests.rapportages.fast_beat beat``)."""

from config.celery import app

app.conf.beat_schedule = {
    "render-pending-reports": {
        "task": "rapportages.tasks.render_pending_reports",
        "schedule": 1.0,
    },
}
