"""Create and edit the records of a file, through one view driven by RECORD_KINDS."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal import access, changelog
from portal.files import private_download
from portal.shortcuts import form_errors_to, require, submit
from portal.uploads import download_name_for

from .. import services
from ..forms import (
    AppointmentForm,
    AssignmentForm,
    ConversationReportForm,
    DocumentForm,
    MedicalFlagClearForm,
    MedicalNoteForm,
    PersonProfileForm,
    PlacementForm,
    SearchFunctionFormSet,
    SearchProfileForm,
    TimeEntryForm,
    TrainingForm,
    WorkCapacityForm,
)
from ..models import (
    Appointment,
    Assignment,
    ConversationReport,
    Document,
    MedicalNote,
    PersonProfile,
    Placement,
    SearchProfile,
    TimeEntry,
    Training,
    WorkCapacity,
)
from ..shortcuts import get_trajectory
from .file import trajectory_url


@dataclass(frozen=True)
class RecordKind:
    model: type
    form: type
    tab: str
    title: str
    single: bool = False  # one per trajectory (profile, capacity, placement)


RECORD_KINDS = {
    "gesprek": RecordKind(ConversationReport, ConversationReportForm, "conversations",
                          _("Conversation report")),
    "afspraak": RecordKind(Appointment, AppointmentForm, "agenda", _("Appointment")),
    "opdracht": RecordKind(Assignment, AssignmentForm, "agenda", _("Assignment")),
    "training": RecordKind(Training, TrainingForm, "trainings", _("Training or test")),
    "document": RecordKind(Document, DocumentForm, "documents", _("Document")),
    "tijd": RecordKind(TimeEntry, TimeEntryForm, "time", _("Time entry")),
    "medisch": RecordKind(MedicalNote, MedicalNoteForm, "profile", _("Medical note")),
    "persoonsprofiel": RecordKind(PersonProfile, PersonProfileForm, "profile",
                                  _("Person profile"), single=True),
    "belastbaarheid": RecordKind(WorkCapacity, WorkCapacityForm, "profile",
                                 _("Work capacity"), single=True),
    "plaatsing": RecordKind(Placement, PlacementForm, "overview", _("Placement"), single=True),
}  # fmt: skip


@login_required
def record_edit(request, uuid, kind, record_uuid=None):
    try:
        spec = RECORD_KINDS[kind]
    except KeyError:
        raise Http404 from None
    trajectory = get_trajectory(request, uuid)
    visible = spec.model.objects.visible_to(request.user).filter(trajectory=trajectory)
    if spec.single:
        instance = visible.first()
        if instance is None and spec.model.objects.filter(trajectory=trajectory).exists():
            raise Http404  # exists, but not for this user
    elif record_uuid:
        instance = access.get_visible_or_404(visible, uuid=record_uuid)
    else:
        instance = None
    require(access.can_write_record(request.user, trajectory, spec.model))
    stored = instance
    instance = instance or spec.model(trajectory=trajectory, agency_id=trajectory.agency_id)
    form = spec.form(request.POST or None, request.FILES or None, instance=instance)
    if submit(
        request, form,
        lambda data: services.record_save(
            actor=request.user, trajectory=trajectory, model=spec.model, record=stored, **data
        ),
        success=_("Saved."),
    ):  # fmt: skip
        return redirect(f"{trajectory_url(trajectory)}?tab={spec.tab}")
    medical_correction = (
        reverse("trajecten:medical_flag_clear", args=[trajectory.uuid, instance.uuid])
        if isinstance(instance, ConversationReport) and instance.pk and instance.contains_medical
        else None
    )
    return render(
        request,
        "trajecten/trajectory_form.html",
        {
            "form": form,
            "trajectory": trajectory,
            "title": spec.title,
            "multipart": True,
            "medical_correction": medical_correction,
            "history": history_url(stored),
        },
    )


def history_url(record) -> str:
    """The record's own history page ("Geschiedenis"), for a record that exists."""
    tracked = changelog.by_label(record._meta.label_lower) if record else None
    if tracked is None or tracked.parent is not None:
        return ""
    return reverse("portal:record_history", args=[tracked.key, record.uuid])


@login_required
def medical_flag_clear(request, uuid, record_uuid):
    """Correct a wrongly set medical flag on a conversation: its own step, with a reason."""
    trajectory = get_trajectory(request, uuid)
    conversation = access.get_visible_or_404(
        ConversationReport.objects.visible_to(request.user).filter(
            trajectory=trajectory, contains_medical=True
        ),
        uuid=record_uuid,
    )
    require(access.can_write_records(request.user, trajectory))
    form = MedicalFlagClearForm(request.POST or None)
    if submit(
        request, form,
        lambda data: services.conversation_medical_flag_clear(
            actor=request.user, conversation=conversation, **data
        ),
        success=_("The medical flag is cleared. Who may see the conversation has not changed."),
    ):  # fmt: skip
        return redirect(f"{trajectory_url(trajectory)}?tab=conversations")
    return render(
        request,
        "trajecten/trajectory_form.html",
        {"form": form, "trajectory": trajectory, "title": _("Correct the medical flag")},
    )


@login_required
def search_profile_new(request, uuid):
    """A new version of the search profile, starting from the latest one."""
    trajectory = get_trajectory(request, uuid)
    require(access.can_write_records(request.user, trajectory))
    latest = (
        SearchProfile.objects.visible_to(request.user)
        .filter(trajectory=trajectory)
        .prefetch_related("functions")
        .first()
    )
    initial = {}
    function_initial = []
    if latest:
        initial = {
            f: getattr(latest, f)
            for f in SearchProfileForm._meta.fields
            if f not in ("change_note", "agreed_with_employee", "valid_from")
        }
        function_initial = [{"title": f.title, "reason": f.reason} for f in latest.functions.all()]
    form = SearchProfileForm(request.POST or None, initial=initial)
    if request.method == "POST":
        # No initial data here: a function carried over unchanged would otherwise count as
        # an untouched extra form and be dropped from the new version.
        formset = SearchFunctionFormSet(request.POST, prefix="functions")
    else:
        formset = SearchFunctionFormSet(initial=function_initial, prefix="functions")
        formset.extra = max(3, len(function_initial) + 1)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        functions = [
            {"title": f["title"], "reason": f["reason"]} for f in formset.cleaned_data if f
        ]
        try:
            services.search_profile_save(
                actor=request.user, trajectory=trajectory, functions=functions, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors_to(form, exc)
        else:
            messages.success(request, _("A new version of the search profile has been saved."))
            return redirect(f"{trajectory_url(trajectory)}?tab=profile")
    return render(
        request,
        "trajecten/search_profile_form.html",
        {"form": form, "formset": formset, "trajectory": trajectory, "latest": latest},
    )


DOWNLOADS = {"document": (Document, "file"), "certificaat": (Training, "certificate")}


@login_required
def download(request, kind, uuid):
    """Files are private: served only here, to those who may see the record, and audited."""
    try:
        model, field = DOWNLOADS[kind]
    except KeyError:
        raise Http404 from None
    record = access.get_visible_or_404(model.objects.visible_to(request.user), uuid=uuid)
    stored = getattr(record, field)
    display = getattr(record, "original_name", "") or getattr(record, "certificate_name", "")
    return private_download(
        record,
        stored,
        filename=download_name_for(stored, display or str(record)) if stored else "",
        content_type=getattr(record, "content_type", ""),
    )
