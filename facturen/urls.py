from django.urls import path

from . import views

app_name = "facturen"

urlpatterns = [
    path("", views.invoice_list, name="list"),
    path("voorstellen/", views.propose, name="propose"),
    path("uitgeven/", views.issue_all, name="issue_all"),
    path("export.csv", views.export_csv, name="export"),
    path("gegevens/", views.profile, name="profile"),
    path("prijzen/", views.prices, name="prices"),
    path("adres/<uuid:employer>/", views.address, name="address"),
    path("adres/<uuid:employer>/<uuid:legal_entity>/", views.address, name="address_bv"),
    path("<uuid:uuid>/", views.detail, name="detail"),
    path("<uuid:uuid>/uitgeven/", views.issue, name="issue"),
    path("<uuid:uuid>/verwijderen/", views.delete_draft, name="delete"),
    path("<uuid:uuid>/regel/<int:position>/weg/", views.remove_line, name="remove_line"),
    path("<uuid:uuid>/crediteren/", views.credit, name="credit"),
    path("<uuid:uuid>/pdf/", views.download_pdf, name="pdf"),
    path("<uuid:uuid>/ubl/", views.download_ubl, name="ubl"),
]
