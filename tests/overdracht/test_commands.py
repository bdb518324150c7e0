"""``manage.py transfer_export`` and ``transfer_import``: the same service as the pages."""

import pytest
from django.core.management import CommandError, call_command

from portal.models import AuditEvent
from tests.factories import AgencyFactory, UserFactory
from trajecten.models import Trajectory

from .files import rich_file


def test_export_then_check_then_import_from_the_command_line(cast, tmp_path, capsys):
    rich_file(cast.traj_x1, cast.specialist_a)
    out = tmp_path / "files.zip"
    call_command(
        "transfer_export", str(out), "--as", cast.admin_a.email, "--employer", "employer x"
    )
    assert "2 trajectories written" in capsys.readouterr().out
    assert AuditEvent.objects.filter(action="download", details__transfer=True).count() == 2

    agency = AgencyFactory(name="Nieuw")
    admin = UserFactory(agency=agency, admin=True, language="en")
    specialist = UserFactory(agency=agency, specialist=True)
    call_command("transfer_import", str(out), "--as", admin.email, "--dry-run")
    checked = capsys.readouterr().out
    assert "Nobody on your agency's staff has this address: invite them first." in checked
    assert "0 would be created, 0 already present, 2 with errors." in checked

    args = ("--as", admin.email, "--assign-to", specialist.email)
    call_command("transfer_import", str(out), *args, "--dry-run")
    assert "2 would be created" in capsys.readouterr().out
    assert not Trajectory.objects.filter(agency=agency).exists()
    call_command("transfer_import", str(out), *args)
    assert "2 created, 0 already present, 0 with errors." in capsys.readouterr().out
    call_command("transfer_import", str(out), *args)
    assert "0 created, 2 already present, 0 with errors." in capsys.readouterr().out
    assert Trajectory.objects.filter(agency=agency).count() == 2


def test_the_commands_refuse_what_is_not_theirs(cast, tmp_path):
    with pytest.raises(CommandError, match="not an agency admin"):
        call_command("transfer_export", str(tmp_path / "x.zip"), "--as", cast.specialist_a.email)
    (tmp_path / "bad.zip").write_bytes(b"no zip")
    with pytest.raises(CommandError, match="geen ZIP-bestand"):
        call_command("transfer_import", str(tmp_path / "bad.zip"), "--as", cast.admin_a.email)
    with pytest.raises(CommandError, match="not on the staff"):
        call_command("transfer_import", str(tmp_path / "bad.zip"), "--as", cast.admin_b.email,
                     "--assign-to", cast.specialist_a.email)  # fmt: skip
