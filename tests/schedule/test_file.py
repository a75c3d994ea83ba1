"""The schedules file: located errors worded like spec errors, defaults, paths from its folder."""

from __future__ import annotations

import textwrap
from datetime import timedelta
from pathlib import Path

import pytest

from briefgen.errors import InputError, SchedulesError
from briefgen.schedule.file import (
    Delivery,
    HistoryConfig,
    Job,
    Retries,
    SchedulesFile,
    format_duration,
    load_schedules,
)
from tests.helpers.schedule_fakes import job_yaml, make_schedules

GOOD = """\
jobs:
  - name: weekly
    specs: [specs/baba.yaml]
    cron: "0 7 * * MON"
    timezone: Asia/Hong_Kong
    delivery: {config: delivery.yaml, lists: [clients]}
    owner: desk@example.com
"""


def errors(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "schedules.yaml"
    path.write_text(textwrap.dedent(text))
    with pytest.raises(SchedulesError) as caught:
        load_schedules(path, display="schedules.yaml")
    return str(caught.value).splitlines()


def test_bad_cron_is_located_with_croniters_message(tmp_path: Path) -> None:
    assert errors(tmp_path, GOOD.replace("0 7 * * MON", "0 7 * * MOX")) == [
        'schedules.yaml:4:11: jobs[0].cron: bad cron expression: [0 7 * * mox] is not acceptable '
        '(five fields: minute hour day-of-month month day-of-week, e.g. "0 7 * * MON")']
    assert errors(tmp_path, GOOD.replace("0 7 * * MON", "0 25 * * *")) == [
        "schedules.yaml:4:11: jobs[0].cron: bad cron expression: [0 25 * * *] is not acceptable, "
        'out of range (five fields: minute hour day-of-month month day-of-week, e.g. "0 7 * * '
        'MON")']


def test_cron_with_the_wrong_number_of_fields_or_no_date(tmp_path: Path) -> None:
    assert errors(tmp_path, GOOD.replace("0 7 * * MON", "0 0 7 * * MON")) == [
        "schedules.yaml:4:11: jobs[0].cron: expected 5 cron fields, got 6 (five fields: minute "
        'hour day-of-month month day-of-week, e.g. "0 7 * * MON")']
    assert errors(tmp_path, GOOD.replace("0 7 * * MON", "0 7 30 2 *")) == [
        "schedules.yaml:4:11: jobs[0].cron: never fires: failed to find next date"]


def test_unknown_time_zone_has_did_you_mean(tmp_path: Path) -> None:
    assert errors(tmp_path, GOOD.replace("Asia/Hong_Kong", "Asia/HongKong")) == [
        'schedules.yaml:5:15: jobs[0].timezone: unknown time zone "Asia/HongKong" '
        '(did you mean "Asia/Hong_Kong"?)']
    assert errors(tmp_path, GOOD.replace("Asia/Hong_Kong", "europe/london")) == [
        'schedules.yaml:5:15: jobs[0].timezone: unknown time zone "europe/london" '
        '(did you mean "Europe/London"?)']
    assert errors(tmp_path, GOOD.replace("Asia/Hong_Kong", "Mars/Olympus_Mons")) == [
        'schedules.yaml:5:15: jobs[0].timezone: unknown time zone "Mars/Olympus_Mons" '
        "(use an IANA name like Europe/London)"]


def test_unknown_key_has_did_you_mean(tmp_path: Path) -> None:
    assert errors(tmp_path, GOOD + "    catchup: skip\n") == [
        'schedules.yaml:8:5: jobs[0].catchup: unknown key (did you mean "catch_up"?)']
    assert errors(tmp_path, "histroy: {}\n" + GOOD) == [
        'schedules.yaml:1:1: histroy: unknown key (did you mean "history"?)']


def test_duplicate_job_name(tmp_path: Path) -> None:
    second = GOOD.split("\n", 1)[1].replace("Asia/Hong_Kong", "Europe/London")
    assert errors(tmp_path, GOOD + second) == [
        'schedules.yaml:8:11: jobs[1].name: duplicate job name "weekly" '
        "(first used on line 2; job names must be unique)"]


def test_a_mailed_job_renders_the_pdf(tmp_path: Path) -> None:
    assert errors(tmp_path, GOOD + "    formats: [html]\n") == [
        "schedules.yaml:8:14: jobs[0].formats: a mailed job needs the pdf format "
        "(the PDF is what readers receive; add pdf)"]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = GOOD.replace("MON", "MOX").replace("Asia/Hong_Kong", "Asia/Hongkong") + (
        "    catch_up: sometimes\n"
        "    retries: {count: 2, backoff: 10}\n"
        "    formats: [pdf, docx]\n"
        '  - name: "bad name!"\n'
        "    specs: []\n"
        '    cron: "@daily"\n'
        "    delivery: {mode: digests, config: d.yaml, lists: []}\n"
        "    owner: nobody\n")
    assert errors(tmp_path, text) == [
        "schedules.yaml:4:11: jobs[0].cron: bad cron expression: [0 7 * * mox] is not acceptable "
        '(five fields: minute hour day-of-month month day-of-week, e.g. "0 7 * * MON")',
        'schedules.yaml:5:15: jobs[0].timezone: unknown time zone "Asia/Hongkong" '
        '(did you mean "Asia/Hong_Kong"?)',
        'schedules.yaml:8:15: jobs[0].catch_up: expected one of once, skip; got "sometimes"',
        "schedules.yaml:9:34: jobs[0].retries.backoff: expected a duration like 10m or 90d, got "
        '10 (add a unit: "30s", "10m", "12h", "90d" or "2w")',
        'schedules.yaml:10:20: jobs[0].formats[1]: expected one of html, pdf; got "docx"',
        "schedules.yaml:11:11: jobs[1].name: expected a name of letters, digits, '.', '_' and "
        '\'-\', got "bad name!"',
        "schedules.yaml:12:12: jobs[1].specs: needs at least 1 item",
        "schedules.yaml:14:22: jobs[1].delivery.mode: expected one of digest, per-brief; got "
        '"digests" (did you mean "digest"?)',
        "schedules.yaml:14:54: jobs[1].delivery.lists: needs at least 1 item",
        'schedules.yaml:15:12: jobs[1].owner: expected an email address, got "nobody"',
    ]


def test_missing_keys_and_wrong_shapes(tmp_path: Path) -> None:
    assert errors(tmp_path, "jobs:\n  - name: x\n") == [
        "schedules.yaml:2:5: jobs[0].cron: missing required key",
        "schedules.yaml:2:5: jobs[0].delivery: missing required key",
        "schedules.yaml:2:5: jobs[0].owner: missing required key",
        "schedules.yaml:2:5: jobs[0].specs: missing required key",
    ]
    assert errors(tmp_path, "- a\n- b\n") == [
        "schedules.yaml:1:1: expected a mapping with a `jobs` list, got a list"]


def test_defaults(tmp_path: Path) -> None:
    (tmp_path / "schedules.yaml").write_text(GOOD)
    schedules = load_schedules(tmp_path / "schedules.yaml")
    [job] = schedules.jobs
    assert job.formats == ["html", "pdf"]
    assert (job.catch_up, job.grace, job.retries.count) == ("once", timedelta(hours=1), 2)
    assert [job.retries.delay(n) for n in (1, 2, 3)] == [
        timedelta(minutes=10), timedelta(minutes=20), timedelta(minutes=40)]
    assert job.delivery.mode == "digest"
    assert schedules.retention(job) == timedelta(days=90)
    assert format_duration(timedelta(days=1, hours=1, minutes=30)) == "1d1h30m"


def test_relative_paths_are_read_from_the_files_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "desk"
    schedules = make_schedules(folder, job_yaml(), specs=("aapl", "baba"),
                               extra="history: {path: state/h.sqlite, retention: 30d}\n")
    monkeypatch.chdir(tmp_path)  # the current directory must not matter
    schedules = load_schedules(Path("desk/schedules.yaml"))
    assert schedules.history_path == folder / "state/h.sqlite"
    assert schedules.output_dir == folder / "output"
    assert schedules.spec_paths(schedules.jobs[0]) == [folder / "specs/aapl.yaml",
                                                       folder / "specs/baba.yaml"]
    assert schedules.retention(schedules.jobs[0]) == timedelta(days=30)


def test_specs_may_be_folders_and_are_listed_once(tmp_path: Path) -> None:
    schedules = make_schedules(tmp_path, job_yaml().replace('["specs/*.yaml"]',
                                                            '[specs, "specs/b*.yaml"]'))
    assert [p.name for p in schedules.spec_paths(schedules.jobs[0])] == ["aapl.yaml",
                                                                         "baba.yaml"]


def test_unknown_job_name_has_did_you_mean(tmp_path: Path) -> None:
    schedules = make_schedules(tmp_path)
    with pytest.raises(InputError, match=r'no job named "weekyl" .*did you mean "weekly"'):
        schedules.job("weekyl")


def test_the_example_file_is_valid() -> None:
    schedules = load_schedules(Path(__file__).resolve().parents[2] / "examples/schedules.yaml")
    assert [job.name for job in schedules.jobs] == ["weekly-coverage", "london-morning"]
    for job in schedules.jobs:
        assert schedules.spec_paths(job)


def test_every_setting_is_described() -> None:
    """Descriptions are the reference: `schedule` settings document themselves like specs do."""
    for model in (SchedulesFile, HistoryConfig, Job, Delivery, Retries):
        for name, info in model.model_fields.items():
            assert info.description, f"{model.__name__}.{name} has no description"


def test_brand_is_loaded_from_the_files_folder(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "desk"
    (folder / "style").mkdir(parents=True)
    (folder / "style" / "brand.yaml").write_text("firm_name: Halden Row Research\n")
    make_schedules(folder, extra="brand: style/brand.yaml\n")
    monkeypatch.chdir(tmp_path)  # the current directory must not matter
    schedules = load_schedules(Path("desk/schedules.yaml"))
    assert schedules.brand is not None
    assert schedules.brand.brand.firm_name == "Halden Row Research"
    assert make_schedules(tmp_path / "plain").brand is None


def test_a_missing_brand_file_is_located_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from briefgen.cli.main import main

    assert errors(tmp_path, "brand: nope.yaml\n" + GOOD) == [
        f"schedules.yaml:1:8: brand: no such file: {tmp_path / 'nope.yaml'} (the brand "
        "file is found relative to the schedules file)"]
    with pytest.raises(SystemExit) as caught:
        main(["schedule", "list", "--file", str(tmp_path / "schedules.yaml")])
    assert caught.value.code == 2
    assert f"{tmp_path / 'schedules.yaml'}:1:8: brand: no such file" in capsys.readouterr().err


def test_a_bad_brand_file_is_reported_in_the_brand_file(tmp_path: Path) -> None:
    (tmp_path / "brand.yaml").write_text("firm_name: X\ncolours: {primary: red}\n")
    [problem] = errors(tmp_path, "brand: brand.yaml\n" + GOOD)
    assert problem.startswith(f"{tmp_path / 'brand.yaml'}:2:20: colours.primary: expected a "
                              "colour as #RRGGBB")
