from django.urls import path

from . import views

app_name = "rapportages"

urlpatterns = [
    path("meldingen/", views.notifications, name="notifications"),
    path("<uuid:uuid>/", views.detail, name="detail"),
    path("<uuid:uuid>/ondertekenen/", views.sign, name="sign"),
    path("<uuid:uuid>/voorbeeld.pdf", views.preview, name="preview"),
    path("<uuid:uuid>/ter-reactie/", views.offer, name="offer"),
    path("<uuid:uuid>/terugnemen/", views.withdraw, name="withdraw"),
    path("<uuid:uuid>/reactie/", views.respond, name="respond"),
    path("<uuid:uuid>/goedkeuren/", views.approve, name="approve"),
    path("<uuid:uuid>/afkeuren/", views.reject, name="reject"),
    path("<uuid:uuid>/corrigeren/", views.correct, name="correct"),
    path("<uuid:uuid>/mijn-visie/", views.employee_view, name="employee_view"),
    path("<uuid:uuid>/pdf/", views.download, name="download"),
    path("traject/<uuid:uuid>/uwv-dossier/", views.bundle_request, name="bundle_request"),
    path("traject/<uuid:uuid>/riv-toets/reden/", views.riv_exception, name="riv_exception"),
    path(
        "riv-toets/reden/<uuid:uuid>/intrekken/",
        views.riv_exception_withdraw,
        name="riv_exception_withdraw",
    ),
    path("uwv-dossier/<uuid:uuid>/", views.bundle, name="bundle"),
    path("uwv-dossier/<uuid:uuid>/pdf/", views.bundle_download, name="bundle_download"),
    path("uwv-dossier/<uuid:uuid>/zip/", views.bundle_download_zip, name="bundle_download_zip"),
]
