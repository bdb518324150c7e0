from datetime import date, timedelta

from django.urls import reverse

from trajecten import wvp


def test_a_second_coach_gets_caseload_rights_and_loses_them_when_removed(cast, login):
    client = login(cast.specialist_a)
    client.post(
        reverse("trajecten:member_add", args=[cast.traj_x1.uuid]),
        {"user": cast.specialist_a2.pk, "role": "second_coach"},
    )
    file_url = reverse("trajecten:file", args=[cast.traj_x1.uuid])
    assert login(cast.specialist_a2).get(file_url).status_code == 200
    member = cast.traj_x1.memberships.get(user=cast.specialist_a2)
    login(cast.specialist_a).post(
        reverse("trajecten:member_remove", args=[cast.traj_x1.uuid, member.pk])
    )
    assert login(cast.specialist_a2).get(file_url).status_code == 404


def test_staff_of_another_agency_cannot_be_made_a_member(cast, login):
    response = login(cast.specialist_a).post(
        reverse("trajecten:member_add", args=[cast.traj_x1.uuid]),
        {"user": cast.specialist_b.pk, "role": "second_coach"},
    )
    assert response.status_code == 200
    assert not cast.traj_x1.memberships.filter(user=cast.specialist_b).exists()


def test_the_primary_specialist_cannot_be_removed(cast, login):
    member = cast.traj_x1.memberships.get(role="primary")
    login(cast.admin_a).post(
        reverse("trajecten:member_remove", args=[cast.traj_x1.uuid, member.pk])
    )
    assert cast.traj_x1.memberships.filter(pk=member.pk).exists()


def test_a_wage_sanction_moves_week_104_on_the_file(cast, login):
    client = login(cast.specialist_a)
    first = cast.traj_x1.sickness_case.first_sick_day
    client.post(
        reverse("trajecten:extension_add", args=[cast.traj_x1.uuid]),
        {"kind": "wage_sanction", "weeks": "12", "decided_on": "2026-10-01"},
    )
    end = wvp.waiting_time_end(first, 12)
    assert end == first + timedelta(days=727 + 84)
    html = client.get(reverse("trajecten:file", args=[cast.traj_x1.uuid])).content.decode()
    assert end.strftime("%d-%m-%Y") in html  # one short date form (config/formats/nl)


def test_a_wage_sanction_over_52_weeks_is_refused(cast, login):
    response = login(cast.specialist_a).post(
        reverse("trajecten:extension_add", args=[cast.traj_x1.uuid]),
        {"kind": "wage_sanction", "weeks": "53", "decided_on": "2026-10-01"},
    )
    assert response.status_code == 200
    assert not cast.traj_x1.sickness_case.extensions.exists()


def test_wvp_dates_before_the_first_sick_day_are_refused(cast, login):
    case = cast.traj_x1.sickness_case
    response = login(cast.specialist_a).post(
        reverse("trajecten:wvp_edit", args=[cast.traj_x1.uuid]),
        {"first_sick_day": case.first_sick_day.isoformat(),
         "probleemanalyse_date": (case.first_sick_day - timedelta(days=1)).isoformat()},
    )  # fmt: skip
    assert "ligt vóór de eerste ziektedag" in response.content.decode()


def test_employer_and_employee_cannot_change_the_trajectory(cast, login):
    for who in (cast.contact_x1, cast.employee_x1):
        for name in ("trajecten:summary_edit", "trajecten:wvp_edit", "trajecten:close",
                     "trajecten:phase_set", "trajecten:member_add"):  # fmt: skip
            url = reverse(name, args=[cast.traj_x1.uuid])
            assert login(who).get(url).status_code == 403, (who, name)
            assert login(cast.specialist_b).get(url).status_code == 404


def test_a_polish_employee_reads_the_whole_file_in_polish(cast, login):
    cast.employee_x1.language = "pl"
    cast.employee_x1.save()
    html = (
        login(cast.employee_x1)
        .get(reverse("trajecten:file", args=[cast.traj_x1.uuid]))
        .content.decode()
    )
    for polish in (
        "Przegląd",
        "Rozmowy",
        "Spotkania i polecenia",
        "Tydzień WvP",
        "Analiza problemu",
    ):
        assert polish in html, polish
    assert "Overzicht" not in html


def test_the_file_shows_the_wvp_week_of_the_day_across_a_leap_day(cast, login):
    import time_machine

    case = cast.traj_x1.sickness_case
    case.first_sick_day = date(2027, 3, 1)
    case.save()
    url = reverse("trajecten:file", args=[cast.traj_x1.uuid])
    with time_machine.travel(date(2028, 2, 29)):
        # 365 days after the first sick day: day 366 lies in week 53
        assert "WvP-week 53 " in login(cast.specialist_a).get(url).content.decode()
    with time_machine.travel(date(2028, 3, 6)):
        assert "WvP-week 54 " in login(cast.specialist_a).get(url).content.decode()
