"""The schedules file: which specs are rendered when, in which time zone, and mailed to whom.

A schedules file lists jobs; each job has a cron expression read in its own IANA time zone, so
"0 7 * * MON" in Europe/London is 07:00 London time all year, whatever the UTC offset. Errors
read like spec errors (`schedules.yaml:7:11: jobs[0].cron: ...`): the same located YAML loader
and the same wording of pydantic errors. Every relative path in the file is resolved against the
file's folder, never the current directory, so cron and a shell behave the same. When slots
fall, and which one is due, is `briefgen.schedule.slots`.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import AfterValidator, BeforeValidator, Field, field_validator
from pydantic_core import PydanticCustomError

from briefgen.errors import FileError, InputError, Problem, SchedulesError
from briefgen.inputs.loader import FileKind, load_model
from briefgen.inputs.located import LocatedDocument, PathKey, dotted
from briefgen.inputs.worded import describe
from briefgen.spec.find import specs_named, unique
from briefgen.spec.model import StrictModel

if TYPE_CHECKING:
    from briefgen.brand.load import LoadedBrand
    from briefgen.build.options import RenderOptions

DEFAULT_FILE = Path("schedules.yaml")
CRON_HINT = 'five fields: minute hour day-of-month month day-of-week, e.g. "0 7 * * MON"'
_DURATION = re.compile(r"^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_UNITS = (timedelta(weeks=1), timedelta(days=1), timedelta(hours=1), timedelta(minutes=1),
          timedelta(seconds=1))
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# --- field types with their own messages ---------------------------------------------------------


def parse_duration(value: Any) -> Any:
    """`90d`, `12h`, `1h30m`, `45s`, `2w` -> timedelta; a timedelta passes through."""
    if isinstance(value, timedelta):
        return value
    text = value.strip() if isinstance(value, str) else ""
    found = _DURATION.match(text) if text else None
    if not found or not any(found.groups()):
        hint = 'add a unit: "30s", "10m", "12h", "90d" or "2w"'
        raise PydanticCustomError(
            "duration", "expected a duration like 10m or 90d, got {got}",
            {"got": describe(value), "hint": hint},
        )
    return sum((unit * int(n) for unit, n in zip(_UNITS, found.groups(), strict=True) if n),
               timedelta())


def format_duration(value: timedelta) -> str:
    seconds, parts = int(value.total_seconds()), []
    for unit, name in zip(_UNITS, "wdhms", strict=True):
        count, seconds = divmod(seconds, int(unit.total_seconds()))
        if count:
            parts.append(f"{count}{name}")
    return "".join(parts) or "0s"


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
Format = Literal["html", "pdf"]
FORMATS: tuple[Format, ...] = ("html", "pdf")


@functools.cache
def _all_zones() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


def zone_hint(name: str) -> str | None:
    zones = _all_zones()
    folded = {z.lower(): z for z in zones}
    key = name.strip().lower().replace(" ", "_")
    match = [folded[key]] if key in folded else difflib.get_close_matches(name, zones, n=1,
                                                                          cutoff=0.6)
    return f'did you mean "{match[0]}"?' if match else "use an IANA name like Europe/London"


def check_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise PydanticCustomError(
            "time_zone", "unknown time zone {got}",
            {"got": describe(name), "hint": zone_hint(name)},
        ) from None
    return name


def check_cron(expression: str) -> str:
    from croniter import CroniterError, croniter

    fields = expression.split()
    if not expression.startswith("@") and len(fields) != 5:
        raise PydanticCustomError(
            "cron", "expected 5 cron fields, got {count}",
            {"count": len(fields), "hint": CRON_HINT},
        )
    try:
        croniter(expression, datetime(2026, 1, 1, tzinfo=UTC)).get_next(datetime)
    except CroniterError as exc:
        never = "find next date" in str(exc)
        raise PydanticCustomError(
            "cron", "never fires: {detail}" if never else "bad cron expression: {detail}",
            {"detail": str(exc), "hint": None if never else CRON_HINT},
        ) from None
    return expression


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise PydanticCustomError(
            "job_name", "expected a name of letters, digits, '.', '_' and '-', got {got}",
            {"got": describe(name), "hint": None})
    return name


def check_email(address: str) -> str:
    if not _EMAIL.match(address):
        raise PydanticCustomError("email", "expected an email address, got {got}",
                                  {"got": describe(address), "hint": None})
    return address


# --- the file's model ----------------------------------------------------------------------------


class Delivery(StrictModel):
    """How a job's briefs reach readers: the mail engineer's delivery config and list names."""

    mode: Literal["digest", "per-brief"] = Field(
        "digest", description="One digest message for the whole run, or one message per brief."
    )
    config: str = Field(description="Delivery config YAML (SMTP, lists), relative to this file.")
    lists: list[Annotated[str, Field(min_length=1)]] = Field(
        min_length=1, description="Distribution lists (names in the delivery config) to mail."
    )


class Retries(StrictModel):
    """How often a failed job is tried again on later run-due calls, and how long it waits."""

    count: int = Field(2, ge=0, le=10, description="Extra attempts after the first one fails.")
    backoff: Duration = Field(
        timedelta(minutes=10),
        description="Wait before the first retry; doubles for each further retry.",
    )

    def delay(self, attempt: int) -> timedelta:
        """How long after failed attempt number `attempt` (1-based) the next one may start."""
        delay: timedelta = self.backoff * 2 ** (attempt - 1)
        return delay


class Job(StrictModel):
    """One scheduled job: which specs, when (cron in a time zone), to whom, and who to tell."""

    name: Annotated[str, AfterValidator(check_name)] = Field(
        description="Unique name: letters, digits, '.', '_' and '-'."
    )
    specs: list[Annotated[str, Field(min_length=1)]] = Field(
        min_length=1, description="Spec files, folders or globs, relative to this file."
    )
    cron: Annotated[str, AfterValidator(check_cron)] = Field(
        description="Five-field cron expression, read in `timezone`."
    )
    timezone: Annotated[str, AfterValidator(check_zone)] = Field(
        "UTC", description="IANA time zone the cron is read in, e.g. Asia/Hong_Kong."
    )
    delivery: Delivery = Field(description="Where the rendered briefs go.")
    formats: list[Format] = Field(
        default_factory=lambda: list(FORMATS), min_length=1,
        description="Outputs to render: html, pdf or both.",
    )
    owner: Annotated[str, AfterValidator(check_email)] = Field(
        description="Email address told when the job fails for good."
    )
    catch_up: Literal["once", "skip"] = Field(
        "once", description="After downtime: run the latest missed slot once, or skip it."
    )
    grace: Duration = Field(
        timedelta(hours=1),
        description="How late a slot may start before it counts as missed (see catch_up).",
    )
    retries: Retries = Field(default_factory=Retries, description="Retries after a failure.")
    retention: Duration | None = Field(
        None, description="Keep this job's history this long; defaults to history.retention."
    )

    @field_validator("formats")
    @classmethod
    def _unique_formats(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def names_hours(self) -> bool:
        """Whether the cron's hour field names hours (so a repeated wall-clock hour runs once)."""
        return _names_hours(self.cron)


@functools.lru_cache(maxsize=256)
def _names_hours(cron: str) -> bool:
    from croniter import croniter

    return str(croniter(cron).expressions[1]) != "*"


class HistoryConfig(StrictModel):
    """Where the run history lives and how long it is kept."""

    path: str = Field(
        ".briefgen/history.sqlite", description="SQLite file, relative to this file."
    )
    retention: Duration = Field(timedelta(days=90), description="Delete runs older than this.")


class SchedulesFile(StrictModel):
    """The whole schedules file."""

    output: str = Field("output", description="Folder the briefs are rendered into.")
    brand: Annotated[str, Field(min_length=1)] | None = Field(
        None, description="Brand file (brand.yaml), relative to this file: styles the notes, "
        "their charts and the emails (briefs and digest) of every job.")
    history: HistoryConfig = Field(default_factory=HistoryConfig, description="Run history.")
    jobs: list[Job] = Field(min_length=1, description="The scheduled jobs.")


@dataclass(frozen=True)
class Schedules:
    """A valid schedules file and the folder its relative paths are read from."""

    path: Path
    model: SchedulesFile
    brand: LoadedBrand | None = None  # the file's `brand:`, loaded with the schedules
    # The project's render options (briefgen.yaml, with this brand): every job renders with
    # them, so a scheduled note is the note `briefgen render` makes. None: no project file.
    options: RenderOptions | None = None

    @property
    def base_dir(self) -> Path:
        return self.path.parent.resolve()

    @property
    def jobs(self) -> list[Job]:
        return self.model.jobs

    def resolve(self, relative: str) -> Path:
        return Path(os.path.normpath(self.base_dir / Path(relative).expanduser()))

    @property
    def history_path(self) -> Path:
        return self.resolve(self.model.history.path)

    @property
    def output_dir(self) -> Path:
        return self.resolve(self.model.output)

    def job(self, name: str) -> Job:
        for job in self.jobs:
            if job.name == name:
                return job
        known = [job.name for job in self.jobs]
        match = difflib.get_close_matches(name, known, n=1)
        raise InputError(f'no job named "{name}" in {self.path}'
                         + (f' (did you mean "{match[0]}"?)' if match else ""))

    def retention(self, job: Job) -> timedelta:
        return job.retention or self.model.history.retention

    def spec_paths(self, job: Job) -> list[Path]:
        """The job's spec files, found as `briefgen render` finds them (`spec.find`)."""
        found: list[Path] = []
        for pattern in job.specs:
            matches = specs_named(self.resolve(pattern))
            if not matches:
                raise InputError(f'{self.path}: job "{job.name}": "{pattern}" matches no spec '
                                 f"(looked in {self.base_dir})")
            found += matches
        return unique(found)


SCHEDULES = FileKind(SchedulesFile, SchedulesError, "a mapping with a `jobs` list")


def load_schedules(path: Path | str = DEFAULT_FILE, display: str | None = None) -> Schedules:
    """Load and validate a schedules file; raise `SchedulesError` with every problem in it."""
    path = Path(path)
    brands: list[LoadedBrand] = []

    def checks(doc: LocatedDocument, model: SchedulesFile | None) -> list[Problem]:
        problems = _cross_checks(doc)
        brand = _load_brand(doc, path)
        if isinstance(brand, list):
            problems += brand
        elif brand is not None:
            brands.append(brand)
        return problems

    model = load_model(path, SCHEDULES, display=display, check=checks).model
    return Schedules(path, model, brands[0] if brands else None)


def _load_brand(doc: LocatedDocument, path: Path) -> LoadedBrand | list[Problem] | None:
    """The brand file named by `brand:`, found relative to the schedules file; its problems
    (no such file, or what is wrong inside it, located in the brand file) otherwise."""
    name = doc.data.get("brand")
    if not isinstance(name, str) or not name.strip():
        return None  # absent, or not a string: the model words that error
    from briefgen.brand.load import load_brand

    target = Path(os.path.normpath(path.parent.resolve() / Path(name).expanduser()))
    if not target.is_file():
        mark = doc.value_marks.get(("brand",))
        return [Problem(mark.file if mark else doc.file, mark.line if mark else None,
                        mark.column if mark else None, "brand",
                        f"no such file: {target}" if not target.exists()
                        else f"{target} is a folder, not a brand file",
                        "the brand file is found relative to the schedules file")]
    try:
        return load_brand(target)
    except FileError as exc:
        return list(exc.problems)


def _cross_checks(doc: LocatedDocument) -> list[Problem]:
    """Between jobs and fields: unique names; a mailed job renders the PDF it attaches."""
    jobs = doc.data.get("jobs")
    seen: dict[str, int] = {}
    found: list[Problem] = []

    def report(where: PathKey, message: str, hint: str) -> None:
        mark = doc.value_marks[where]
        found.append(Problem(mark.file, mark.line, mark.column, dotted(where), message, hint))

    for index, job in enumerate(jobs if isinstance(jobs, list) else []):
        if not isinstance(job, dict):
            continue
        formats = job.get("formats")
        if isinstance(formats, list) and formats and "pdf" not in formats:
            report(("jobs", index, "formats"), "a mailed job needs the pdf format",
                   "the PDF is what readers receive; add pdf")
        name = job.get("name")
        if not isinstance(name, str):
            continue
        if name in seen:
            first = doc.value_marks[("jobs", seen[name], "name")]
            report(("jobs", index, "name"), f'duplicate job name "{name}"',
                   f"first used on line {first.line}; job names must be unique")
        seen.setdefault(name, index)
    return found
