"""/api/v1/: every resource, each behind the scoping layer; the OpenAPI schema and docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from facturen.api import InvoiceViewSet
from kwaliteit.api import OutcomesView
from overdracht.api import ReferralViewSet
from portal.api.history import RecordHistoryView, TrajectoryHistoryView
from portal.api.notices import NoticeSettingsView
from portal.api.views import AgencyViewSet, EmployerViewSet, LegalEntityViewSet
from portal.webhooks.api import WebhookEndpointViewSet
from rapportages.api import ReportViewSet, RivCheckView
from sollicitaties.api import (
    ApplicationActivityViewSet,
    TempAgencyRegistrationViewSet,
    VacancyViewSet,
)
from trajecten.api import (
    AppointmentViewSet,
    AssignmentViewSet,
    ConversationReportViewSet,
    EmployeeViewSet,
    MessageViewSet,
    SicknessCaseViewSet,
    TrajectoryViewSet,
)

# JSON is the only format, so no ``.json`` suffix routes: half the URL surface for nothing.
router = DefaultRouter()
router.include_root_view = False
router.include_format_suffixes = False
router.register("agencies", AgencyViewSet, basename="agency")
router.register("employers", EmployerViewSet, basename="employer")
router.register("legal-entities", LegalEntityViewSet, basename="legal-entity")
router.register("employees", EmployeeViewSet, basename="employee")
router.register("sickness-cases", SicknessCaseViewSet, basename="sickness-case")
router.register("trajectories", TrajectoryViewSet, basename="trajectory")
router.register("conversation-reports", ConversationReportViewSet, basename="conversation-report")
router.register("appointments", AppointmentViewSet, basename="appointment")
router.register("assignments", AssignmentViewSet, basename="assignment")
router.register("messages", MessageViewSet, basename="message")
router.register("application-activities", ApplicationActivityViewSet, basename="application")
router.register("temp-agency-registrations", TempAgencyRegistrationViewSet, basename="temp-agency")
router.register("vacancies", VacancyViewSet, basename="vacancy")
router.register("reports", ReportViewSet, basename="report")
router.register("referrals", ReferralViewSet, basename="referral")
router.register("webhooks", WebhookEndpointViewSet, basename="webhook")
router.register("invoices", InvoiceViewSet, basename="invoice")

urlpatterns = [
    path("v1/outcomes/", OutcomesView.as_view(), name="outcomes"),
    path(
        "v1/trajectories/<uuid:uuid>/riv-check/",
        RivCheckView.as_view(),
        name="trajectory-riv-check",
    ),
    path(
        "v1/trajectories/<uuid:uuid>/history/",
        TrajectoryHistoryView.as_view(),
        name="trajectory-history",
    ),
    path("v1/history/<slug:key>/<uuid:uuid>/", RecordHistoryView.as_view(), name="record-history"),
    path("v1/notice-settings/", NoticeSettingsView.as_view(), name="notice-settings"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
