from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from portal import health, pwa
from portal import views as portal_views

# The admin has no login of its own: it sends visitors through allauth (with MFA).
admin.autodiscover()
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Spoorboek platform"

urlpatterns = [
    path("", include("portal.urls")),
    path("trajecten/", include("trajecten.urls")),
    path("trajecten/", include("privacy.urls")),
    path("sollicitaties/", include("sollicitaties.urls")),
    path("rapportages/", include("rapportages.urls")),
    path("overdracht/", include("overdracht.urls")),
    path("facturen/", include("facturen.urls")),
    path("", include("kwaliteit.urls")),
    path("", include("dashboards.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/", include("config.api")),
    path("i18n/setlang/", portal_views.set_language, name="set_language"),
    path("healthz/", portal_views.healthz, name="healthz"),
    path("sms/status/<str:token>/<int:agency_id>/", portal_views.sms_status, name="sms_status"),
    path("readyz/", health.readyz, name="readyz"),
    path("manifest.webmanifest", pwa.manifest, name="pwa_manifest"),
    path("sw.js", pwa.service_worker, name="pwa_sw"),
    path("offline/", pwa.offline, name="pwa_offline"),
    path("platform-admin/", admin.site.urls),
]

# Every error in the portal's look and the user's language, or in the API's shape under /api/.
handler400 = "portal.errors.bad_request"
handler403 = "portal.errors.permission_denied"
handler404 = "portal.errors.page_not_found"
handler500 = "portal.errors.server_error"
