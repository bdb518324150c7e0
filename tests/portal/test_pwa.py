"""The installable app's plumbing: manifest, service worker, offline page and the logout that
leaves nothing behind (the offline flow itself runs in tests/browser)."""

from django.urls import reverse


def test_the_manifest_makes_the_app_installable(db, client):
    manifest = client.get("/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    body = manifest.json()
    assert body["display"] == "standalone" and body["start_url"] == "/"
    from django.contrib.staticfiles import finders

    for icon in body["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]


def test_the_service_worker_is_served_from_the_root_with_its_shell(db, client):
    response = client.get("/sw.js")
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    script = response.content.decode()
    assert "/static/css/spoorboek.css" in script and '"/offline/"' in script


def test_the_offline_page_holds_nothing_personal(cast, login):
    html = login(cast.employee_x1).get("/offline/").content.decode()
    assert cast.employee_x1.first_name not in html and cast.employee_x1.email not in html
    assert "Geen verbinding" in html


def test_only_employees_get_the_app(cast, login):
    employee = login(cast.employee_x1).get(reverse("dashboards:home")).content.decode()
    assert 'data-pwa="employee"' in employee and 'rel="manifest"' in employee
    staff = login(cast.specialist_a).get(reverse("dashboards:home")).content.decode()
    assert 'data-pwa=""' in staff and 'rel="manifest"' not in staff


def test_logging_out_clears_what_the_phone_kept(cast, login):
    response = login(cast.employee_x1).post(reverse("account_logout"))
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    page = login(cast.employee_x1).get(reverse("dashboards:home"))
    assert not page.has_header("Clear-Site-Data")
