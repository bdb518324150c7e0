"""Serializers, viewsets and the error shape shared by every endpoint."""

from contextlib import contextmanager

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import exceptions, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler

from .. import audit
from ..constants import AuditAction


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Invalid data",
            value={
                "code": "invalid",
                "message": "Het verzoek bevat ongeldige gegevens.",
                "fields": {"date": ["De datum kan niet in de toekomst liggen."]},
            },
            response_only=True,
            status_codes=["400"],
        ),
        OpenApiExample(
            "Not found",
            value={"code": "not_found", "message": "Niet gevonden."},
            response_only=True,
            status_codes=["404"],
        ),
    ]
)
class ErrorSerializer(serializers.Serializer):
    """Every error has this shape."""

    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()),
                                   required=False)  # fmt: skip


def field_errors(detail, path: str = "") -> dict[str, list[str]]:
    """DRF's nested errors as flat ``{"employees[2].email": ["message"]}``: each message as
    text, never the repr of an ``ErrorDetail`` or of the dict around it."""
    flat: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int) or str(key).isdigit():  # a row of a list (DRF keys by index)
                name = f"{path}[{key}]"
            else:
                name = f"{path}.{key}" if path else str(key)
            flat.update(field_errors(value, name))
    elif isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        for index, item in enumerate(detail):
            if item:  # an empty dict: that row was fine
                flat.update(field_errors(item, f"{path}[{index}]"))
    else:
        messages = detail if isinstance(detail, list) else [detail]
        flat.setdefault(path or "non_field_errors", []).extend(str(m) for m in messages)
    return flat


@contextmanager
def service_errors():
    """A service's refusal (Django's ``ValidationError``) as DRF's, field by field, so the API
    answers 400 with the same messages a page shows. ``PermissionDenied`` passes as 403."""
    try:
        yield
    except DjangoValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        raise exceptions.ValidationError(detail) from exc


def error_handler(exc, context):
    """One consistent error body, with messages in the user's language."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    body = {"code": getattr(exc, "default_code", "error"), "message": ""}
    detail = getattr(exc, "detail", None)
    if isinstance(detail, dict):
        body["code"] = "invalid"
        body["message"] = str(_("The request contains invalid data."))
        body["fields"] = field_errors(detail)
    elif isinstance(detail, list):
        body["code"] = "invalid"
        body["message"] = " ".join(m for texts in field_errors(detail).values() for m in texts)
    else:
        body["message"] = str(detail) if detail is not None else str(exc)
    response.data = body
    return response


#: Parse errors worded as the pages word them (Django's form fields), so a page and the API
#: refuse the same bad input with the same message.
PAGE_MESSAGES = {
    serializers.DateField: {"invalid": _("Enter a valid date.")},
    serializers.DateTimeField: {"invalid": _("Enter a valid date/time.")},
    serializers.IntegerField: {"invalid": _("Enter a whole number.")},
    serializers.DecimalField: {"invalid": _("Enter a number.")},
}


class StrictSerializer(serializers.ModelSerializer):
    """Fields a user may not set (read-only or unknown) are rejected, never ignored."""

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        for parse_class, messages in PAGE_MESSAGES.items():
            if issubclass(field_class, parse_class):
                kwargs["error_messages"] = {**messages, **kwargs.get("error_messages", {})}
        return field_class, kwargs

    def to_internal_value(self, data):
        if isinstance(data, dict):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unexpected = sorted(set(data) - writable)
            if unexpected:
                raise serializers.ValidationError(
                    {key: [_("This field cannot be set.")] for key in unexpected}
                )
        return super().to_internal_value(data)


class UUIDRelated(serializers.SlugRelatedField):
    """A related object by UUID, chosen from what the requesting user may see."""

    def __init__(self, scope, **kwargs):
        self.scope = scope
        kwargs.setdefault("slug_field", "uuid")
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.scope(self.context["request"].user)

    def to_internal_value(self, data):
        """Anything the user may not see does not exist for them: 404, like everywhere."""
        try:
            return self.get_queryset().get(**{self.slug_field: data})
        except (
            self.get_queryset().model.DoesNotExist,
            ValueError,
            TypeError,
            DjangoValidationError,
        ):
            raise exceptions.NotFound from None


class ScopedViewSet(viewsets.ReadOnlyModelViewSet):
    """Every queryset comes from the scoping layer; objects are addressed by UUID; lists and
    reads are audited (a list is one event with a count)."""

    model = None
    ordering = ["-created_at"]
    lookup_field = "uuid"
    lookup_value_regex = "[0-9a-f-]{36}"
    select = ()
    prefetch = ()

    def get_queryset(self):
        qs = self.model.objects.visible_to(self.request.user)
        if self.select:
            qs = qs.select_related(*self.select)
        if self.prefetch:
            qs = qs.prefetch_related(*self.prefetch)
        return qs

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        results = response.data.get("results", []) if isinstance(response.data, dict) else []
        audit.record_list(self.model, len(results), details={"api": True})
        return response

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        audit.record(AuditAction.VIEW, instance, details={"api": True})
        return Response(self.get_serializer(instance).data)
