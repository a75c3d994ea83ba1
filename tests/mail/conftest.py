"""The mail tests' real SMTP server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers.mail_server import MailServer, running_mail_server


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    with running_mail_server() as server:
        yield server
