"""The delivery config: who receives which brief, from whom, and how mail leaves the building.

One YAML file (see `examples/delivery.yaml`), validated the way specs are: unknown keys are errors
with a "did you mean" hint and every problem is reported at once as `file:line:col: where: message`.
Credentials never live in the file: `smtp.username_env` / `smtp.password_env` name environment
variables, read only when a message is really sent (a dry run needs none). A `password:` key is an
error wherever it appears.

Relative paths (`ledger`, `templates`) are resolved against the config file's folder, not the
current directory, so a cron job and a person at a shell read the same file the same way.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import os
import re
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import ErrorDetails

from briefgen.errors import DeliveryConfigError, InputError, Problem
from briefgen.inputs.loader import FileKind, load_model
from briefgen.inputs.located import LocatedDocument, PathKey, dotted

DEFAULT_BUDGET_MB = 10.0
DEFAULT_PORTS = {"none": 25, "starttls": 587, "tls": 465}
# What a subject template may use; `subject` is derived.subject, the default.
SUBJECT_NAMES = ("subject", "company", "ticker", "title", "period", "rating", "slug", "date")
_ADDR_SPEC = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$")
_SECRET_KEYS = {"password", "passwd", "pass", "secret", "token", "username", "user"}


def check_address(value: str) -> str:
    """`Jane PM <jane@fund.example>` or `jane@fund.example`; refuses header injection."""
    if "\n" in value or "\r" in value:
        raise ValueError("an address must be on one line")
    addr = parseaddr(value)[1]
    if not addr or not _ADDR_SPEC.match(addr):
        raise ValueError(f'expected an email address like "jane@fund.example", got "{value}"')
    return value


Address = Annotated[str, AfterValidator(check_address)]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Sender(StrictModel):
    """Who the mail is from."""

    from_: Address = Field(alias="from", description="From: header, e.g. 'Desk <desk@x.com>'.")
    reply_to: Address | None = Field(None, description="Reply-To: header, when replies go "
                                                       "elsewhere.")


class Retry(StrictModel):
    """How hard to try when the server is unreachable or answers 4xx (5xx is never retried)."""

    attempts: int = Field(4, ge=1, le=20, description="Tries in all, including the first.")
    initial_delay: float = Field(1.0, ge=0, le=600, description="Seconds before the 2nd try; "
                                                                "doubles each time.")
    max_total: float = Field(120.0, ge=0, le=3600,
                             description="Give up when the next wait would pass this many seconds.")


class Smtp(StrictModel):
    """The outgoing mail server."""

    host: str = Field("localhost", min_length=1, description="Server name or address.")
    port: int | None = Field(None, ge=1, le=65535,
                             description="Port; defaults to 25, 587 or 465 by `tls`.")
    tls: Literal["none", "starttls", "tls"] = Field("starttls", description="Transport security.")
    timeout: float = Field(30.0, gt=0, le=600, description="Seconds for every network call.")
    username_env: str | None = Field(None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
                                     description="Environment variable holding the user name.")
    password_env: str | None = Field(None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
                                     description="Environment variable holding the password.")
    retry: Retry = Field(default_factory=Retry)

    @property
    def effective_port(self) -> int:
        return self.port or DEFAULT_PORTS[self.tls]

    def credentials(self) -> tuple[str, str] | None:
        """(user, password) from the environment; InputError when a named variable is unset."""
        if not self.username_env and not self.password_env:
            return None
        if not (self.username_env and self.password_env):
            raise InputError("smtp: give both username_env and password_env, or neither")
        values = []
        for key in ("username_env", "password_env"):
            name = getattr(self, key)
            value = os.environ.get(name)
            if not value:
                raise InputError(f"smtp.{key}: the environment variable {name} is not set "
                                 f"(export it before sending; it is never read from the config)")
            values.append(value)
        return values[0], values[1]


class Unsubscribe(StrictModel):
    """How a reader leaves the list: the List-Unsubscribe headers (RFC 2369, RFC 8058) that the
    large mailbox providers require of bulk senders, and a line at the foot of every message."""

    url: str | None = Field(None, pattern=r"^https://\S+$",
                            description="One-click unsubscribe address (https; a POST to it "
                                        "unsubscribes: List-Unsubscribe-Post).")
    mailto: str | None = Field(None, pattern=r"^[^@\s<>]+@[^@\s<>]+$",
                               description="Address that unsubscribes whoever writes to it.")

    def header(self) -> str | None:
        """The List-Unsubscribe value, https first: `<https://…>, <mailto:…>`."""
        uris = ([f"<{self.url}>"] if self.url else []) + (
            [f"<mailto:{self.mailto}?subject=unsubscribe>"] if self.mailto else [])
        return ", ".join(uris) or None


class RecipientRule(StrictModel):
    """Which briefs (slug globs) go to whom; every matching rule adds its recipients."""

    specs: str | list[str] = Field(description="Slug or glob, e.g. 'baba*', or a list of them.")
    to: list[str] = Field(default_factory=list, description="List names or addresses.")
    cc: list[str] = Field(default_factory=list, description="List names or addresses.")
    bcc: list[str] = Field(default_factory=list,
                           description="List names or addresses; never shown in headers.")

    @property
    def patterns(self) -> list[str]:
        return [self.specs] if isinstance(self.specs, str) else list(self.specs)


class DeliveryConfig(StrictModel):
    """Everything `briefgen send` needs beyond the specs."""

    sender: Sender = Field(default_factory=lambda: Sender.model_validate(
        {"from": "briefgen@localhost"}))
    message_id_domain: str | None = Field(None, pattern=r"^[A-Za-z0-9.-]+$",
                                          description="Domain of Message-IDs; default: From's.")
    base_url: str | None = Field(None, pattern=r"^https?://\S+$",
                                 description="Where notes are published; adds a link per brief.")
    subject: str = Field("{{ subject }}", min_length=1,
                         description="Jinja template; names: " + ", ".join(SUBJECT_NAMES))
    include_html: bool = Field(False, description="Attach brief.html beside the PDF.")
    attachment_budget_mb: float = Field(DEFAULT_BUDGET_MB, gt=0, le=100,
                                        description="Largest total of attachments per message.")
    ledger: Path | None = Field(None, description="SQLite ledger; default <output>/deliveries"
                                                  ".sqlite.")
    templates: Path | None = Field(None, description="Folder searched before the built-in email "
                                                     "templates.")
    lists: dict[str, list[Address]] = Field(default_factory=dict,
                                            description="Distribution lists: name -> addresses.")
    recipients: list[RecipientRule] = Field(default_factory=list)
    unsubscribe: Unsubscribe | None = Field(None, description="List-Unsubscribe headers and "
                                                              "the unsubscribe line.")
    smtp: Smtp = Field(default_factory=Smtp)

    @property
    def budget_bytes(self) -> int:
        return int(self.attachment_budget_mb * 1024 * 1024)

    @property
    def domain(self) -> str:
        if self.message_id_domain:
            return self.message_id_domain
        return parseaddr(self.sender.from_)[1].rpartition("@")[2] or "localhost"

    def ledger_path(self, out_dir: Path) -> Path:
        return self.ledger if self.ledger is not None else out_dir / "deliveries.sqlite"


@dataclass(frozen=True)
class Recipients:
    """Who one message goes to. Bcc is envelope only: it is never written into a header."""

    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()

    def envelope(self) -> list[str]:
        """Bare addresses (`jane@fund.example`), each once, in to, cc, bcc order."""
        return list(dict.fromkeys(bare(a) for a in (*self.to, *self.cc, *self.bcc)))

    def __bool__(self) -> bool:
        return bool(self.to or self.cc or self.bcc)


def bare(address: str) -> str:
    """The addr-spec, lower-cased: the identity of a recipient in the ledger."""
    return parseaddr(address)[1].lower()


def recipients_for(config: DeliveryConfig, slug: str, override: list[str] | None = None
                   ) -> Recipients:
    """Everyone a brief goes to: `override` (the CLI's --to) replaces the config's rules."""
    if override:
        return Recipients(to=tuple(dict.fromkeys(override)))
    fields: dict[str, list[str]] = {"to": [], "cc": [], "bcc": []}
    for rule in config.recipients:
        if not any(fnmatch.fnmatchcase(slug, p) for p in rule.patterns):
            continue
        for kind in fields:
            for item in getattr(rule, kind):
                fields[kind].extend(config.lists.get(item, [item]))
    seen: set[str] = set()
    out: dict[str, tuple[str, ...]] = {}
    for kind in ("to", "cc", "bcc"):  # an address given twice keeps its most visible place
        kept = []
        for address in fields[kind]:
            if bare(address) not in seen:
                seen.add(bare(address))
                kept.append(address)
        out[kind] = tuple(kept)
    return Recipients(**out)


DELIVERY = FileKind(DeliveryConfig, DeliveryConfigError, "a mapping of settings (sender, smtp, …)")


def load_delivery(path: Path | str, *, display: str | None = None) -> DeliveryConfig:
    """Load and check a delivery config; raise `DeliveryConfigError` (exit 2) with every problem
    in it."""
    path = Path(path)
    config = load_model(path, DELIVERY, display=display, reword=_worded,
                        check=_cross_checks).model
    base = path.parent.resolve()
    updates = {key: base / value for key in ("ledger", "templates")
               if (value := getattr(config, key)) is not None and not value.is_absolute()}
    return config.model_copy(update=updates)


def _worded(problem: Problem, err: ErrorDetails) -> Problem:
    """Messages that only make sense for this file: secrets, and the `from` alias."""
    last = problem.where.rpartition(".")[2]
    if problem.message == "unknown key" and last in _SECRET_KEYS:
        hint = (f"put it in an environment variable and name that variable in "
                f"smtp.{'username' if last.startswith('user') else 'password'}_env")
        return dataclasses.replace(problem, message="credentials must not be written in the "
                                                    "config", hint=hint)
    if last.endswith("_env") and problem.message.startswith("does not match"):
        # Never echo the value: whoever wrote a password here must not see it in a log.
        return dataclasses.replace(problem, message="expected the name of an environment "
                                   "variable (letters, digits and _), not its value")
    if problem.hint and "from_" in problem.hint:
        return dataclasses.replace(problem, hint=problem.hint.replace("from_", "from"))
    return problem


def _cross_checks(doc: LocatedDocument, config: DeliveryConfig | None) -> list[Problem]:
    problems: list[Problem] = []
    if config is None:
        return problems

    def add(path: PathKey, message: str, hint: str | None = None) -> None:
        mark = doc.mark_for(path)
        problems.append(Problem(mark.file if mark else doc.file, mark.line if mark else None,
                                mark.column if mark else None, dotted(path), message, hint))

    for i, rule in enumerate(config.recipients):
        if not (rule.to or rule.cc or rule.bcc):
            add(("recipients", i), "a rule needs at least one of to, cc, bcc")
        for kind in ("to", "cc", "bcc"):
            for j, item in enumerate(getattr(rule, kind)):
                if item in config.lists:
                    continue
                try:
                    check_address(item)
                except ValueError:
                    known = ", ".join(config.lists) or "none defined"
                    add(("recipients", i, kind, j),
                        f'"{item}" is neither an address nor a list name',
                        f"lists: {known}")
    try:
        from jinja2 import meta
        from jinja2.sandbox import SandboxedEnvironment

        names = meta.find_undeclared_variables(SandboxedEnvironment().parse(config.subject))
        unknown = sorted(names - set(SUBJECT_NAMES))
        if unknown:
            add(("subject",), f"unknown name {unknown[0]}", "names: " + ", ".join(SUBJECT_NAMES))
    except Exception as exc:  # jinja2.TemplateSyntaxError and friends
        add(("subject",), f"not a valid template: {exc}")
    return problems
