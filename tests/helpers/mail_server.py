"""A real SMTP server on loopback (aiosmtpd) that accepts, refuses, defers or drops."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

from briefgen.mail.config import Smtp


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.data, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Handler:
    """Accepts everything unless a test says otherwise: `data_replies` and `rcpt_replies` are
    used one per call (None = accept); `drop_rcpt` and `drop_data` close the connection instead
    of answering; `accept_then_drop` keeps the message (it will be delivered) and closes the
    connection before its 250 reaches the client. `stall_at` ("RCPT" or "DATA") holds that
    command, once `stalled` is set, until a test sets `release` (to kill the client meanwhile)."""

    received: list[Received] = field(default_factory=list)
    data_replies: list[str | None] = field(default_factory=list)
    rcpt_replies: dict[str, list[str | None]] = field(default_factory=dict)
    drop_data: int = 0  # how many DATA commands to answer by closing the connection
    accept_then_drop: int = 0  # how many messages to keep, then close before the 250
    stall_at: str | None = None
    stalled: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    drop_rcpt: int = 0  # how many RCPT commands to answer by closing the connection

    async def _stall(self, command: str) -> None:
        if self.stall_at != command:
            return
        self.stalled.set()
        while not self.release.is_set():
            await asyncio.sleep(0.01)

    async def handle_RCPT(self, server: SMTP, session: Any, envelope: Any, address: str,
                          options: list[str]) -> str:
        await self._stall("RCPT")
        if self.drop_rcpt:
            self.drop_rcpt -= 1
            server.transport.close()
            return "250 never seen"
        replies = self.rcpt_replies.get(address)
        reply = replies.pop(0) if replies else None
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Any, envelope: Any) -> str:
        await self._stall("DATA")
        if self.accept_then_drop:
            self.accept_then_drop -= 1
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                          bytes(envelope.original_content)))
            server.transport.close()
            return "250 never seen"
        if self.drop_data:
            self.drop_data -= 1
            server.transport.close()  # the whole message arrived; the answer never does
            return "250 never seen"
        reply = self.data_replies.pop(0) if self.data_replies else None
        if reply:
            return reply
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                      bytes(envelope.original_content)))
        return "250 Message accepted for delivery"


class CountingController(Controller):
    """Counts connections, so a test can say that none was made."""

    def __init__(self, handler: Handler, port: int) -> None:
        super().__init__(handler, hostname="127.0.0.1", port=port)
        self.connections = 0

    def factory(self) -> SMTP:
        self.connections += 1
        return SMTP(self.handler, **self.SMTP_kwargs)


@dataclass
class MailServer:
    controller: CountingController
    handler: Handler
    port: int

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    @property
    def connections(self) -> int:
        return self.controller.connections

    def settings(self, **retry: float) -> Smtp:
        return Smtp.model_validate({"host": "127.0.0.1", "port": self.port, "tls": "none",
                                    "timeout": 5, "retry": {"initial_delay": 0.01, **retry}})


@contextmanager
def running_mail_server() -> Iterator[MailServer]:
    """A fresh server on a free port of 127.0.0.1, stopped afterwards."""
    handler = Handler()
    port = free_port()
    controller = CountingController(handler, port)
    controller.start()
    controller.connections = 0  # start() makes one connection to see that the server is up
    try:
        yield MailServer(controller, handler, port)
    finally:
        controller.stop()
