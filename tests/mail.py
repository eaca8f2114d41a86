"""A real SMTP server for the tests (aiosmtpd, on a loopback port): the mails it received."""

import email
import logging
import time
from email import policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tests.live.server import free_port

# aiosmtpd logs every SMTP command it gets at INFO: a test run's output is not the place.
logging.getLogger("mail.log").setLevel(logging.WARNING)


class Inbox:
    """Starts an SMTP server on 127.0.0.1 and keeps every message delivered to it."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"

    @property
    def port(self) -> int:
        return self.controller.port

    def start(self) -> "Inbox":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def wait_for(self, count: int, timeout: float = 30) -> list[EmailMessage]:
        """The messages, once there are `count` of them (a worker may still be sending)."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.messages) >= count, f"{len(self.messages)} of {count} mails arrived"
        return self.messages
