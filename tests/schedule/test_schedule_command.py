"""`briefgen schedule list | run-due | install` and `briefgen runs`, through the real CLI."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefgen.cli.main import app, main
from briefgen.schedule.history import History
from briefgen.schedule.jobs import run_due
from tests.helpers.schedule_fakes import Clock, FakeSteps, job_yaml, make_schedules, utc

runner = CliRunner()


def test_list_shows_next_runs_in_local_time_and_utc(tmp_path: Path) -> None:
    make_schedules(tmp_path, job_yaml("london", "0 7 * * MON", "Europe/London"),
                   job_yaml("hk", "30 6 * * MON-FRI", "Asia/Hong_Kong"))
    result = runner.invoke(app, ["schedule", "list", "--file", str(tmp_path / "schedules.yaml"),
                                 "--count", "3", "--from", "2026-10-20T00:00Z"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Next 3 runs per job after 2026-10-20 00:00Z",
        "Job     Cron              Time zone       Local time                UTC                "
        "Delivery",
        "london  0 7 * * MON       Europe/London   Mon 2026-10-26 07:00 GMT  2026-10-26 07:00Z  "
        "digest to clients",
        "                                          Mon 2026-11-02 07:00 GMT  2026-11-02 07:00Z",
        "                                          Mon 2026-11-09 07:00 GMT  2026-11-09 07:00Z",
        # 00:00Z is 08:00 in Hong Kong: Tuesday's 06:30 has passed.
        "hk      30 6 * * MON-FRI  Asia/Hong_Kong  Wed 2026-10-21 06:30 HKT  2026-10-20 22:30Z  "
        "digest to clients",
        "                                          Thu 2026-10-22 06:30 HKT  2026-10-21 22:30Z",
        "                                          Fri 2026-10-23 06:30 HKT  2026-10-22 22:30Z",
    ]


def test_a_bad_file_is_reported_with_its_place_and_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "schedules.yaml"
    path.write_text("jobs:\n  - name: x\n    cron: '0 7 * * MOX'\n")
    with pytest.raises(SystemExit) as caught:
        main(["schedule", "list", "--file", str(path)])
    assert caught.value.code == 2
    assert f"{path}:3:11: jobs[0].cron: bad cron expression" in capsys.readouterr().err


def test_run_due_while_another_runs_says_so_and_does_nothing(tmp_path: Path) -> None:
    schedules = make_schedules(tmp_path)
    with History(schedules.history_path) as history, history.lock() as lock:
        assert lock.acquired
        result = runner.invoke(app, ["schedule", "run-due", "--schedules", str(schedules.path)])
    assert (result.exit_code, result.output) == (0, "another run-due is in progress\n")


def test_run_due_is_quiet_when_nothing_is_due(tmp_path: Path) -> None:
    schedules = make_schedules(tmp_path)
    result = runner.invoke(app, ["schedule", "run-due", "--schedules", str(schedules.path)])
    assert (result.exit_code, result.output) == (0, "")
    with History(schedules.history_path) as history:  # the job is now known, from now on
        assert history.job_state("weekly", utc(2030, 1, 1)).last_slot is None


def test_runs_shows_the_history(tmp_path: Path) -> None:
    schedules = make_schedules(tmp_path, job_yaml(zone="Asia/Hong_Kong"))
    fake, clock = FakeSteps(fail_deliveries=1), Clock(utc(2026, 3, 1))
    run_due(schedules, now=clock, steps=fake.steps)
    clock.now = utc(2026, 3, 1, 23, 2)
    run_due(schedules, now=clock, steps=fake.steps)
    result = runner.invoke(app, ["runs", "--schedules", str(schedules.path)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"Runs ({schedules.history_path})"
    assert lines[1].split() == ["Job", "Slot", "Status", "Try", "Started", "Took", "Briefs",
                                "Held", "Sent", "Error", "/", "note"]
    assert lines[2].split() == ["weekly", "2026-03-02", "07:00", "HKT", "failed", "(retry",
                                "23:12Z)", "1", "2026-03-01", "23:02:00Z", "0s", "2", "0", "0",
                                "ConnectionRefusedError('SMTP", "server", "down')"]
    clock.advance(timedelta(minutes=15))
    run_due(schedules, now=clock, steps=fake.steps)
    result = runner.invoke(app, ["runs", "--schedules", str(schedules.path), "--job", "weekly"])
    assert result.output.splitlines()[2].split()[:6] == ["weekly", "2026-03-02", "07:00", "HKT",
                                                         "ok", "2"]


def test_runs_before_any_run_and_for_an_unknown_job(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schedules = make_schedules(tmp_path)
    result = runner.invoke(app, ["runs", "--schedules", str(schedules.path)])
    assert result.output == f"no runs recorded yet (history: {schedules.history_path})\n"
    with pytest.raises(SystemExit) as caught:
        main(["runs", "--schedules", str(schedules.path), "--job", "weekyl"])
    assert caught.value.code == 2
    assert 'no job named "weekyl"' in capsys.readouterr().err


def test_install_prints_cron_and_systemd_units_with_absolute_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_schedules(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["schedule", "install", "--every", "10"])
    assert result.exit_code == 0, result.output
    briefgen = Path(sys.executable).parent / "briefgen"
    command = f"{briefgen} schedule run-due --schedules {tmp_path / 'schedules.yaml'}"
    lines = result.output.splitlines()
    assert f"*/10 * * * * cd {tmp_path} && {command}" in lines
    assert f"ExecStart={command}" in lines
    assert "OnCalendar=*:0/10" in lines and "Type=oneshot" in lines
    assert "[Install]" in lines and "WantedBy=timers.target" in lines
