"""The queryset every tenant model uses: ``Model.objects.visible_to(user)``."""

from django.db import models
from django.db.models.query import ModelIterable


class _VisibleIterable(ModelIterable):
    """Marks each object fetched through ``visible_to(user)`` as visible to that user, so that
    ``portal.access``'s ``can_*`` helpers need no second query to know it. A record of a file
    is only visible with its trajectory, so a trajectory loaded with it is marked too."""

    def __iter__(self):
        user_pk = self.queryset._visible_to_user
        for obj in super().__iter__():
            obj._visible_to_user = user_pk
            trajectory = obj._state.fields_cache.get("trajectory")
            if trajectory is not None:
                trajectory._visible_to_user = user_pk
            yield obj


class ScopedQuerySet(models.QuerySet):
    """Adds ``visible_to(user)``: the one door to tenant data, backed by ``portal.access``."""

    _visible_to_user = None

    def visible_to(self, user):
        from portal import access

        scoped = access.apply_rules(self, user)
        if scoped._iterable_class is ModelIterable:
            scoped._iterable_class = _VisibleIterable
        scoped._visible_to_user = getattr(user, "pk", None)
        return scoped

    def _clone(self):
        clone = super()._clone()
        clone._visible_to_user = self._visible_to_user
        return clone


class CopiesAgency:
    """A row that belongs to another agency-owned row carries that row's agency, copied on
    every save from the foreign key ``agency_parent`` names, so that scoping and the
    row-level security policies (``portal.tenancy``) can guard it on its own. Mixed in before
    ``models.Model``; the row declares its own ``agency`` field."""

    #: The name of the foreign key whose ``agency_id`` this row copies.
    agency_parent: str = ""

    def save(self, *args, **kwargs) -> None:
        self.agency_id = getattr(self, self.agency_parent).agency_id
        super().save(*args, **kwargs)
