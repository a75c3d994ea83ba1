"""The delivery config: located errors like specs, recipients by slug glob, no secrets in it."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.errors import EXIT_BAD_INPUT, DeliveryConfigError
from briefgen.mail.config import Recipients, load_delivery, recipients_for

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "delivery.yaml"


def problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "delivery.yaml"
    path.write_text(text)
    with pytest.raises(DeliveryConfigError) as caught:
        load_delivery(path, display="delivery.yaml")
    assert caught.value.exit_code == EXIT_BAD_INPUT
    return [str(p) for p in caught.value.problems]


def test_the_example_config_loads_and_resolves() -> None:
    config = load_delivery(EXAMPLE)
    assert config.smtp.tls == "starttls" and config.smtp.effective_port == 587
    assert config.domain == "research.example.com"
    assert config.budget_bytes == 10 * 1024 * 1024
    assert config.ledger_path(Path("out")) == Path("out") / "deliveries.sqlite"
    got = recipients_for(config, "baba-2025q3")
    assert got.to == ("Jane PM <jane.pm@fund.example.com>", "bob.pm@fund.example.com")
    assert got.cc == ("analyst@research.example.com",)
    assert got.bcc == ("compliance@research.example.com",)
    assert recipients_for(config, "tcehy") == Recipients(bcc=("compliance@research.example.com",))


def test_every_problem_is_reported_with_its_place(tmp_path: Path) -> None:
    found = problems(tmp_path, """\
sender:
  from: not-an-address
smtp:
  host: mail.example
  tls: startls
  port: 99999
recipents: []
""")
    assert found == [
        'delivery.yaml:2:9: sender.from: expected an email address like "jane@fund.example", '
        'got "not-an-address"',
        'delivery.yaml:5:8: smtp.tls: expected one of none, starttls, tls; got "startls" '
        '(did you mean "starttls"?)',
        "delivery.yaml:6:9: smtp.port: must be at most 65535, got 99999",
        'delivery.yaml:7:1: recipents: unknown key (did you mean "recipients"?)',
    ]


def test_a_password_in_the_file_is_an_error_and_never_echoed(tmp_path: Path) -> None:
    found = problems(tmp_path, """\
smtp:
  host: mail.example
  username: desk
  password: hunter2
""")
    assert found == [
        "delivery.yaml:3:3: smtp.username: credentials must not be written in the config "
        "(put it in an environment variable and name that variable in smtp.username_env)",
        "delivery.yaml:4:3: smtp.password: credentials must not be written in the config "
        "(put it in an environment variable and name that variable in smtp.password_env)",
    ]


def test_a_password_written_where_its_variable_name_goes_is_not_echoed(tmp_path: Path) -> None:
    [found] = problems(tmp_path, "smtp:\n  password_env: 'hunter2!'\n")
    assert found.startswith("delivery.yaml:2:17: smtp.password_env: expected the name of an "
                            "environment variable")
    assert "hunter2" not in found


def test_unknown_list_names_and_bad_subject_templates(tmp_path: Path) -> None:
    found = problems(tmp_path, """\
lists:
  pms: [pm@fund.example]
recipients:
  - specs: "baba*"
    to: [pms, china-pms]
  - specs: "*"
subject: "{{ subjet }} ({{ rating }})"
""")
    assert found == [
        "delivery.yaml:5:15: recipients[0].to[1]: \"china-pms\" is neither an address nor a "
        "list name (lists: pms)",
        "delivery.yaml:6:5: recipients[1]: a rule needs at least one of to, cc, bcc",
        "delivery.yaml:7:10: subject: unknown name subjet (names: subject, company, ticker, "
        "title, period, rating, slug, date)",
    ]


def test_header_injection_in_an_address_is_refused(tmp_path: Path) -> None:
    [found] = problems(tmp_path, 'sender:\n  from: "desk@x.example\\nBcc: all@x.example"\n')
    assert "sender.from: an address must be on one line" in found


def test_relative_paths_are_resolved_against_the_config_folder(tmp_path: Path) -> None:
    folder = tmp_path / "conf"
    folder.mkdir()
    (folder / "delivery.yaml").write_text("ledger: state/deliveries.sqlite\n")
    config = load_delivery(folder / "delivery.yaml")
    assert config.ledger == folder.resolve() / "state" / "deliveries.sqlite"


def test_recipients_merge_rules_and_keep_each_address_once(tmp_path: Path) -> None:
    path = tmp_path / "delivery.yaml"
    path.write_text("""\
lists:
  pms: ["Jane <JANE@fund.example>", bob@fund.example]
recipients:
  - {specs: [baba, tcehy], to: [pms]}
  - {specs: "b*", cc: [jane@fund.example, carol@fund.example], bcc: [bob@fund.example]}
""")
    config = load_delivery(path)
    got = recipients_for(config, "baba")
    assert got.to == ("Jane <JANE@fund.example>", "bob@fund.example")
    assert got.cc == ("carol@fund.example",)  # Jane is already in To (addresses match case-blind)
    assert got.bcc == ()
    assert got.envelope() == ["jane@fund.example", "bob@fund.example", "carol@fund.example"]
    assert recipients_for(config, "baba", ["me@desk.example"]) == Recipients(
        to=("me@desk.example",))
    assert not recipients_for(config, "nvda")
