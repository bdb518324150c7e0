"""The history of the file through the API: the same entries, for the same viewer, as the
"History" tab of the file and a record's history page (``portal.changelog.entries``)."""

from django.apps import apps
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import access, audit
from ..changelog import by_key, entries
from ..constants import AuditAction


class FieldChangeSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    old = serializers.CharField(allow_null=True, help_text="null for a creation, or when hidden")
    new = serializers.CharField()
    old_hidden = serializers.BooleanField(
        help_text="The value before the change was not yours to read then (a conversation "
        "shared with you after it was edited)."
    )


class EntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=["I", "U", "D"], help_text="created, changed, removed")
    kind_label = serializers.CharField()
    record = serializers.CharField(source="record_key", allow_null=True)
    record_uuid = serializers.CharField(allow_null=True)
    record_label = serializers.CharField()
    by = serializers.CharField()
    via = serializers.CharField(source="via_code")
    via_label = serializers.CharField(source="via")
    fields = FieldChangeSerializer(many=True)


class HistoryPageSerializer(serializers.Serializer):
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    results = EntrySerializer(many=True)


PAGE = OpenApiParameter("page", int, description="Page (50 changes a page), newest first")


def _answer(request, rows, subject):
    page = entries.page_of(rows, request.query_params.get("page"))
    audit.record(AuditAction.VIEW, subject, details={"api": True, "history": True})
    data = {
        "page": page.number,
        "pages": page.paginator.num_pages,
        "results": entries.entries(page.object_list, request.user),
    }
    return Response(HistoryPageSerializer(data).data)


class TrajectoryHistoryView(APIView):
    """Every change to a trajectory's file that the caller may see, newest first."""

    @extend_schema(parameters=[PAGE], responses=HistoryPageSerializer)
    def get(self, request, uuid):
        model = apps.get_model("trajecten.Trajectory")
        trajectory = access.get_visible_or_404(model.objects.visible_to(request.user), uuid=uuid)
        return _answer(request, entries.trajectory_rows(request.user, trajectory), trajectory)


class RecordHistoryView(APIView):
    """Every change to one record (``record``: the ``record`` of an entry, such as
    ``conversation`` or ``application``) that the caller may see, newest first."""

    @extend_schema(parameters=[PAGE], responses=HistoryPageSerializer)
    def get(self, request, key, uuid):
        tracked = by_key(key)
        if tracked is None or tracked.parent is not None:
            raise Http404
        model = apps.get_model(tracked.label)
        record = access.get_visible_or_404(model.objects.visible_to(request.user), uuid=uuid)
        return _answer(request, entries.record_rows(request.user, tracked, record), record)
