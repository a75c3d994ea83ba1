"""What a scheduled job's steps take and return: build (render the specs), deliver (mail the
briefs), notify (tell the owner of a failure). `jobs` runs them; `steps` holds the real ones, and
tests pass fakes that match these Protocols."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from briefgen.schedule.slots import utc_text
from briefgen.words import count

if TYPE_CHECKING:
    from briefgen.brand.load import LoadedBrand
    from briefgen.build.options import RenderOptions


@dataclass(frozen=True)
class BriefOutcome:
    """One spec after the build: rendered (with its files) or failed (with the reason)."""

    slug: str
    spec_path: Path
    ok: bool
    outputs: Mapping[str, Path] = field(default_factory=dict)
    error: str | None = None


class BuildStep(Protocol):
    def __call__(self, specs: Sequence[Path], out_dir: Path, formats: Sequence[str], *,
                 brand: LoadedBrand | None = None,
                 options: RenderOptions | None = None) -> Sequence[BriefOutcome]: ...


@dataclass(frozen=True)
class DeliveryRequest:
    """What to deliver for one slot of a job. Only `rendered` briefs may reach readers."""

    job: str
    slot: datetime  # aware, in the job's zone
    mode: Literal["digest", "per-brief"]
    config: Path
    lists: tuple[str, ...]
    briefs: tuple[BriefOutcome, ...]
    out_dir: Path
    formats: tuple[str, ...] = ("html", "pdf")  # what the build rendered (its cache key)
    brand: LoadedBrand | None = None  # the schedules file's brand: the notes' and the emails'
    options: RenderOptions | None = None  # the project's render options, when there is one

    @property
    def rendered(self) -> tuple[BriefOutcome, ...]:
        return tuple(b for b in self.briefs if b.ok)

    @property
    def held_back(self) -> tuple[BriefOutcome, ...]:
        return tuple(b for b in self.briefs if not b.ok)

    @property
    def label(self) -> str:
        """How the run is named in a digest's subject: `weekly-coverage, 2026-03-02`."""
        return f"{self.job}, {self.slot:%Y-%m-%d}"


class DeliverStep(Protocol):
    def __call__(self, request: DeliveryRequest) -> int:
        """Send; return how many messages went out. Raise when delivery failed."""
        ...


@dataclass(frozen=True)
class FailureNotice:
    """What the owner of a job is told when it has failed for good."""

    job: str
    owner: str
    slot: datetime
    attempts: int
    error: str
    log: Path
    config: Path  # the job's delivery config: where the SMTP settings come from
    sent_at: datetime  # the injected clock's time, for the Date header
    schedules: Path  # the schedules file, for the command that shows the history

    @property
    def subject(self) -> str:
        return f"briefgen: job {self.job} failed ({self.slot:%Y-%m-%d %H:%M %Z})"

    @property
    def body(self) -> str:
        return (f"The scheduled job {self.job} failed for its slot at "
                f"{self.slot:%Y-%m-%d %H:%M %Z} ({utc_text(self.slot)}) after "
                f"{count(self.attempts, 'attempt')}.\n\nWhat failed:\n{self.error}\n\n"
                f"The log of every attempt: {self.log}\n"
                f"History: briefgen runs --schedules {self.schedules} --job {self.job}\n")


class NotifyStep(Protocol):
    def __call__(self, notice: FailureNotice) -> None: ...


@dataclass(frozen=True)
class Steps:
    build: BuildStep
    deliver: DeliverStep
    notify: NotifyStep
