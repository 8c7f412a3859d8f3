"""A real SMTP server on loopback for tests (aiosmtpd), collecting what it receives.

It can also refuse addresses (a 550, as a real server does for an unknown mailbox) and hold a
client at MAIL FROM after some messages, so a test can kill a worker in the middle of a send.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Collector:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refused: set[str] = set()
        self.hold_after: int | None = None
        self.holding = threading.Event()
        self.released = threading.Event()

    async def handle_MAIL(self, server, session, envelope, address, mail_options) -> str:
        if self.hold_after is not None and len(self.messages) >= self.hold_after:
            self.holding.set()
            while not self.released.is_set():
                await asyncio.sleep(0.02)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address in self.refused:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 Message accepted for delivery"


class SMTPServer:
    """Start with `start()`, read `messages`, stop with `stop()`; restartable on the same port."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self._collector = _Collector()
        self._controller: Controller | None = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self._collector.messages

    def refuse(self, address: str) -> None:
        """Answer 550 to this recipient from now on."""
        self._collector.refused.add(address)

    def accept(self, address: str) -> None:
        """Stop refusing this recipient (the mailbox was fixed)."""
        self._collector.refused.discard(address)

    def hold_after(self, count: int) -> threading.Event:
        """Let `count` messages through, then keep the next client waiting at MAIL FROM until
        `release()`. The event returned is set once a client is being held."""
        self._collector.hold_after = count
        return self._collector.holding

    def release(self) -> None:
        self._collector.released.set()

    def start(self) -> None:
        self._controller = Controller(self._collector, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self.release()
            self._controller.stop()
            self._controller = None
