"""The one scoping layer: what may this user see, and do?

Every view, form choice list, export, task and API endpoint that reads tenant data starts
from ``Model.objects.visible_to(user)`` (which calls ``apply_rules`` here), and fetches one
row with ``get_visible_or_404``: one way to say "scope this". Every right to change something is
a ``can_*`` helper here too, which checks visibility itself; views, serializers and services
never compare roles. Where a new rule goes: a new kind of record gets a line in
``RECORD_RULES``; a new right a ``can_*`` helper that the service calls (``portal.writes``).

Rules, after domain.md section 6:

* agency admin: everything of their own agency;
* specialist: the trajectories they are a member of (and the people and BVs on them);
* employer contact: trajectories at their employer's BVs, all or a chosen subset;
* employee: their own file;
* anyone else (inactive users, platform operators without an agency): nothing.

Each rule filters by agency first and then narrows by role, using subqueries only, so scoping
never costs an extra query per request or per row. Out-of-scope objects answer 404: views fetch
single objects with ``get_visible_or_404``.

The layer is one package in three parts, all read as ``portal.access``: ``rules`` (what a
user may see), ``rights`` (what a user may do) and ``recipients`` (who is told).
"""

from .history import *  # noqa: F403  (registers the rule of the history of the file)
from .recipients import *  # noqa: F403
from .rights import *  # noqa: F403
from .rules import *  # noqa: F403
