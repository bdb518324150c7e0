"""Uploads and downloads after the penetration test (issue 14): download names nobody can
steer, uploads stored under generated names and refused when their structure lies, bodies
too large refused before they are read, and nothing personal left in a cache."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.downloads import content_disposition, download_name
from sollicitaties.models import ApplicationActivity
from tests import files
from trajecten.models import Document

HOSTILE_NAME = "Doe.html\"; filename*=UTF-8''evil.html; x=\""


# --- Download names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("sollicitaties", "Jansen", "20261129"),
         'attachment; filename="sollicitaties-Jansen-20261129.csv"'),
        (("sollicitaties", "Wiśniewska"),
         "attachment; filename=\"sollicitaties-Wisniewska.csv\"; "
         "filename*=UTF-8''sollicitaties-Wi%C5%9Bniewska.csv"),
        (("x", "a\r\nSet-Cookie: y=1"), 'attachment; filename="x-a-Set-Cookie-y-1.csv"'),
    ],
)  # fmt: skip
def test_download_names_are_ascii_with_a_utf8_form_when_needed(parts, expected):
    assert content_disposition(download_name(*parts, ext="csv")) == expected


def test_a_name_can_never_choose_the_extension_or_break_out_of_the_header():
    header = content_disposition(download_name("sollicitaties", HOSTILE_NAME, ext="csv"))
    plain = header.split('filename="', 1)[1].split('"', 1)[0]
    assert plain.endswith(".csv") and '"' not in plain and ";" not in plain
    assert header.count("filename=") == 1 and header.count("filename*=") <= 1
    assert "\r" not in header and "\n" not in header


@pytest.mark.parametrize("last_name", [HOSTILE_NAME, "de Vries\r\nX-Evil: 1", "Wiśniewska"])
def test_the_application_export_answers_with_a_safe_name_whatever_the_last_name(
    cast, login, last_name
):
    employee = cast.traj_x1.employee
    employee.last_name = last_name
    employee.save()
    response = login(cast.specialist_a).get(
        reverse("sollicitaties:export_csv", args=[cast.traj_x1.uuid])
    )
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="sollicitaties-')
    parameters = [p.strip() for p in disposition.split(";")]
    assert parameters[0] == "attachment"
    assert parameters[1].startswith('filename="') and parameters[1].endswith('.csv"')
    assert all(p.startswith("filename*=UTF-8''") and p.endswith(".csv") for p in parameters[2:])
    assert len(parameters) <= 3 and "\n" not in disposition


# --- Uploads ----------------------------------------------------------------------------------


def upload_document(client, cast, name, content):
    return client.post(
        reverse("trajecten:record_new", args=[cast.traj_x1.uuid, "document"]),
        {"title": "Brief", "kind": "other", "visibility": "employer",
         "file": SimpleUploadedFile(name, content, content_type="text/html")},
    )  # fmt: skip


def test_an_upload_is_stored_under_a_generated_name_and_downloaded_with_its_real_type(cast, login):
    client = login(cast.specialist_a)
    response = upload_document(client, cast, "..\\..\\evil.html", files.PDF)
    assert response.status_code == 302
    document = Document.objects.get()
    stored = document.file.name
    assert stored.startswith("documents/") and stored.endswith(".pdf")
    assert "evil" not in stored and ".." not in stored
    assert document.original_name == "evil.html"  # display text only
    download = client.get(reverse("trajecten:download", args=["document", document.uuid]))
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="evil.pdf"'
    assert b"".join(download.streaming_content) == files.PDF


def zip_bomb() -> bytes:
    """A DOCX of about 1 MB that unpacks to 1 GiB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        with archive.open("word/media/bomb.bin", "w", force_zip64=True) as part:
            chunk = b"\0" * (16 * 1024 * 1024)
            for _ in range(64):
                part.write(chunk)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("poly.png", files.png() + b"<html><script>alert(1)</script></html>"),
        ("poly.pdf", files.PDF + b"<html><script>alert(1)</script></html>"),
        ("poly.jpg", files.jpeg() + b"<html><script>alert(1)</script></html>"),
        ("poly.docx", files.docx() + b"<html><script>alert(1)</script></html>"),
        ("broken.png", files.png()[:40]),
    ],
)
def test_a_file_whose_structure_disagrees_with_its_type_is_refused(cast, login, name, content):
    response = upload_document(login(cast.specialist_a), cast, name, content)
    assert response.status_code == 200
    assert "beschadigd of bevat meer" in response.content.decode()
    assert not Document.objects.exists()


def test_a_zip_bomb_docx_is_refused_without_unpacking_it_to_disk(cast, login, tmp_path):
    bomb = zip_bomb()
    assert len(bomb) < 2 * 1024 * 1024
    response = upload_document(login(cast.specialist_a), cast, "cv.docx", bomb)
    assert "beschadigd of bevat meer" in response.content.decode()
    assert not Document.objects.exists()


def test_real_files_of_every_kind_are_accepted(cast, login):
    client = login(cast.specialist_a)
    phone_jpeg = files.jpeg() + b"\0\0SEFT trailer a phone writes"  # no markup: accepted
    for name, content in [("a.pdf", files.PDF), ("b.png", files.png()),
                          ("c.jpg", phone_jpeg), ("d.docx", files.docx())]:  # fmt: skip
        assert upload_document(client, cast, name, content).status_code == 302, name
    assert sorted(n.rsplit(".", 1)[1] for n in Document.objects.values_list("file", flat=True)) == [
        "docx", "jpg", "pdf", "png",
    ]  # fmt: skip


def test_evidence_keeps_its_name_as_text_only(cast, login):
    client = login(cast.employee_x1)
    client.post(
        reverse("sollicitaties:new", args=[cast.traj_x1.uuid]),
        {"kind": "written_application", "date": "2026-11-02", "status": "sent",
         "organisation": "Jumbo", "vacancy_title": "Teamleider",
         "evidence": SimpleUploadedFile("../../bewijs <b>.png", files.png())},
    )  # fmt: skip
    evidence = ApplicationActivity.objects.get().evidence.get()
    assert evidence.original_name == "bewijs -b-.png"
    assert evidence.file.name.endswith(".png") and "bewijs" not in evidence.file.name
    download = client.get(reverse("sollicitaties:evidence_download", args=[evidence.uuid]))
    assert download["Content-Disposition"] == 'attachment; filename="bewijs-b.png"'


def test_a_body_over_the_upload_limit_is_refused_before_it_is_read(cast, login, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    client = login(cast.specialist_a)
    url = reverse("trajecten:record_new", args=[cast.traj_x1.uuid, "document"])
    big = SimpleUploadedFile("groot.pdf", files.PDF + b"0" * (2 * 1024 * 1024))
    response = client.post(url, {"title": "Groot", "kind": "other", "file": big})
    assert response.status_code == 413
    assert "groter dan 1,0\xa0KB" in response.content.decode()
    api = client.post("/api/v1/conversation-reports/", data=b"x" * (2 * 1024 * 1024),
                      content_type="application/json")  # fmt: skip
    assert api.status_code == 413 and api.json()["code"] == "too_large"
    assert not Document.objects.exists()


def test_a_new_logo_is_checked_like_every_upload(cast, login):
    client = login(cast.admin_a)
    url = reverse("portal:agency_settings")
    page = client.get(url)
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None and k != "logo"}
    data["logo"] = SimpleUploadedFile("logo.png", files.png() + b"<script>x</script>")
    assert "beschadigd of bevat meer" in client.post(url, data).content.decode()
    data["logo"] = SimpleUploadedFile("../../ons-logo.png", files.png())
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    cast.agency_a.refresh_from_db()
    assert cast.agency_a.logo.name.startswith("agency-logos/")
    assert cast.agency_a.logo.name.endswith(".png") and "ons-logo" not in cast.agency_a.logo.name


# --- Caching ----------------------------------------------------------------------------------


def test_pages_api_answers_and_downloads_are_never_cached(cast, login):
    client = login(cast.specialist_a)
    upload_document(client, cast, "brief.pdf", files.PDF)
    document = Document.objects.get()
    for response in (
        client.get(reverse("trajecten:file", args=[cast.traj_x1.uuid])),
        client.get("/api/v1/trajectories/"),
        client.get(reverse("trajecten:download", args=["document", document.uuid])),
        client.get(reverse("sollicitaties:export_csv", args=[cast.traj_x1.uuid])),
    ):
        assert response.status_code == 200
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"no-store", "private"} <= directives


# --- Issue 38, item 10: what still passed --------------------------------------------------

HTML = b"<html><script>alert(1)</script></html>"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("second-eof.pdf", files.PDF + HTML + b"\n%%EOF\n"),  # HTML, then a second %%EOF
        ("update-html.pdf", files.PDF + b"5 0 obj<<>>endobj\n" + HTML + b"\n%%EOF\n"),
        ("comment.docx", files.docx()[:-2] + b"\x26\x00" + HTML),  # in the ZIP comment
        ("stray.docx", files.docx({"page.html": HTML})),  # a part no content type declares
        ("svg.docx", files.docx({"word/media/x.svg": b"<svg onload=alert(1)/>"})),
    ],
)
def test_html_hidden_in_a_pdf_or_docx_is_refused(cast, login, name, content):
    response = upload_document(login(cast.specialist_a), cast, name, content)
    assert "beschadigd of bevat meer" in response.content.decode(), name
    assert not Document.objects.exists()


def test_a_signed_pdf_with_an_incremental_update_is_accepted(cast, login):
    signed = files.PDF + b"6 0 obj<</Type/Sig/Contents<3082a1>>>endobj\nxref\n0 1\n%%EOF\n"
    assert (
        upload_document(login(cast.specialist_a), cast, "getekend.pdf", signed).status_code == 302
    )


def test_an_image_is_written_again_so_nothing_hidden_in_it_survives(cast, login):
    """A JPEG with HTML after a first end marker and a second end marker passed the check of
    what follows the last one; re-encoded, neither the HTML nor the EXIF position is kept."""
    from io import BytesIO

    from PIL import Image

    image = Image.new("RGB", (40, 30), "teal")
    exif = Image.Exif()
    exif[0x8825] = {2: (52.0, 5.0, 0.0)}  # a GPS position
    buffer = BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    hidden = buffer.getvalue() + HTML + b"\xff\xd9"
    client = login(cast.specialist_a)
    assert upload_document(client, cast, "foto.jpg", hidden).status_code == 302
    stored = Document.objects.get().file.read()
    assert b"<html" not in stored and b"<script" not in stored
    with Image.open(BytesIO(stored)) as again:
        assert again.size == (40, 30) and not again.getexif().get(0x8825)
    png = files.png() + b"\x00\x00\x00\x00tEXt" + HTML
    assert upload_document(client, cast, "b.png", png).status_code == 200  # still refused
