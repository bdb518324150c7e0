"""The steps every write service takes, so that no service writes them differently.

A service (``<app>/services.py``) takes keyword-only plain data and the actor, and:

1. checks the actor's right with a ``portal.access`` helper (``PermissionDenied`` if not);
2. re-reads the object it changes through ``visible_to(actor)`` (``fresh``), never trusting an
   instance a form or serializer may have changed already;
3. sets the new values and validates them as the model does, plus its own business rules,
   raising ``ValidationError`` with field names (``apply``);
4. saves, records the change in the audit trail (``saved``), and queues its side effects
   (live dashboard versions, notices, follow-up work) with ``transaction.on_commit``.

Forms and serializers only parse and check shapes, call the service and put its errors back
on their fields (``portal.shortcuts.form_errors_to``; ``portal.api.base.service_errors``).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models

from . import audit, live
from .constants import AuditAction


def allowed(permitted: bool) -> None:
    """Step 1: the actor may do this (``portal.access``), or ``PermissionDenied``."""
    if not permitted:
        raise PermissionDenied


def fresh(instance: models.Model, actor, *, lock: bool = False):
    """Step 2: the stored row, read again through the scoping layer (a row the actor may not
    see does not exist for them)."""
    queryset = type(instance).objects.visible_to(actor)
    if lock:  # the row itself, not the rows the scope joins to find it
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=instance.pk)
    except type(instance).DoesNotExist:
        raise PermissionDenied from None


def apply(instance: models.Model, changes: dict, *, exclude=()) -> list[str]:
    """Step 3: set ``changes`` on ``instance`` and validate it as the model does (field
    validators, ``clean``, uniqueness); returns the names of the fields that changed."""
    changed = [name for name, value in changes.items() if getattr(instance, name) != value]
    for name, value in changes.items():
        setattr(instance, name, value)
    instance.full_clean(exclude=[*exclude, *_unset_parents(instance)])
    return changed


def _unset_parents(instance) -> list[str]:
    """Foreign keys the model fills in itself on save (``agency`` copied from a parent)."""
    return [
        f.name
        for f in instance._meta.concrete_fields
        if f.is_relation and not f.editable and getattr(instance, f.attname) is None
    ]


def saved(instance: models.Model, *, actor, changed: list[str] | None, creating: bool, **details):
    """Step 4: save and ``record`` (the changed field names, never their values)."""
    instance.save()
    record(
        AuditAction.CREATE if creating else AuditAction.UPDATE,
        instance,
        actor=actor,
        details={**({"fields": changed} if changed is not None else {}), **details},
    )
    return instance


def record(action: AuditAction, instance: models.Model, *, actor=None, details: dict | None = None):
    """Step 4 for every write, also one that saves in its own way (a bulk update, a delete, a
    status set with ``update_fields``): the audit trail, and after the commit the live version
    of every dashboard that shows the row (``live.changed``: derived from the row, so no
    service forgets it). ``actor`` defaults to the request's user, as in ``audit.record``. A
    service never calls ``audit.record`` for a write itself."""
    event = audit.record(action, instance, actor=actor, details=details)
    live.changed(instance)
    return event


def refuse(field: str | None, message) -> None:
    """A business rule says no: a ``ValidationError`` on ``field`` (or the whole form)."""
    raise ValidationError({field: message} if field else message)
