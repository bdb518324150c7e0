"""The caller's own email choices per kind of notice, their digest's hour and day and, for an
employee, their consent to SMS reminders: the same choices as the "Email about notices" page,
through the same services (``portal.digests``, ``portal.sms``)."""

from django.db import transaction
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import access, digests, sms
from ..constants import NoticeDelivery
from ..models import SmsConsent
from .base import service_errors


class SmsSerializer(serializers.Serializer):
    consent = serializers.BooleanField(help_text="SMS reminders (employees only)")
    mobile = serializers.CharField(max_length=30, allow_blank=True, required=False, default="")


class NoticeSettingsSerializer(serializers.Serializer):
    preferences = serializers.DictField(
        child=serializers.ChoiceField(choices=NoticeDelivery.choices),
        help_text="Per kind of notice you can get: immediate, daily, weekly or off.",
    )
    hour = serializers.IntegerField(min_value=0, max_value=23)
    weekday = serializers.IntegerField(min_value=0, max_value=6, help_text="0 is Monday")
    sms = SmsSerializer(
        required=False,
        allow_null=True,
        help_text="An employee's consent to SMS reminders and their number; null for others.",
    )


class NoticeSettingsView(APIView):
    """GET your email choices per kind of notice; PUT them (every kind you name; the others
    stay as they are)."""

    serializer_class = NoticeSettingsSerializer

    def _current(self, user) -> dict:
        schedule = digests.schedule_of(user)
        current = {
            "preferences": digests.preferences_of(user),
            "hour": schedule.hour,
            "weekday": schedule.weekday,
            "sms": None,
        }
        if access.can_get_sms(user):
            consent = SmsConsent.objects.visible_to(user).first()
            current["sms"] = {
                "consent": consent is not None,
                "mobile": getattr(consent, "mobile", ""),
            }
        return current

    def get(self, request):
        return Response(NoticeSettingsSerializer(self._current(request.user)).data)

    def put(self, request):
        serializer = NoticeSettingsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with service_errors(), transaction.atomic():
            digests.notice_preferences_set(
                actor=request.user,
                choices=data["preferences"],
                hour=data["hour"],
                weekday=data["weekday"],
            )
            if data.get("sms") is not None:
                sms.sms_consent_set(
                    actor=request.user, mobile=data["sms"]["mobile"], consent=data["sms"]["consent"]
                )
        return Response(NoticeSettingsSerializer(self._current(request.user)).data)
