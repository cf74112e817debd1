"""A real SMTP server on loopback for the embedded default and the tests (aiosmtpd).

Every message it receives is saved as an ``.eml`` file (the bytes as
received, plus ``X-Envelope-*`` lines naming the envelope) in a folder, and
kept in memory for tests (which can also make it refuse an address with a
4xx or 5xx reply). It does not relay anything anywhere: the digest
of ``make run`` lands in ``var/mail/`` where it can be opened with any mail
client. ``airflow_connection_uri()`` is the value for
``AIRFLOW_CONN_NEWSROOM_SMTP``.

``python -m dev.devsmtp [folder] [--port N]`` runs one in the
foreground.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import sys
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from dev.ports import free_port, port_open


@dataclass(frozen=True)
class ReceivedMessage:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes
    path: Path

    def parsed(self) -> EmailMessage:
        message = message_from_bytes(self.data, policy=default)
        assert isinstance(message, EmailMessage)
        return message


@dataclass
class _Handler:
    folder: Path
    messages: list[ReceivedMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    refuse: dict[str, str] = field(default_factory=dict)  # address -> SMTP reply, e.g. "550 5.1.1 Unknown user"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        with self.lock:
            reply = self.refuse.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content or b""
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        mail_from = str(envelope.mail_from or "")
        rcpt_tos = tuple(str(r) for r in envelope.rcpt_tos)
        with self.lock:
            number = len(self.messages) + 1
            digest = hashlib.sha256(data).hexdigest()[:10]
            path = self.folder / f"{time.strftime('%Y%m%d-%H%M%S')}-{number:05d}-{digest}.eml"
            head = f"X-Envelope-From: {mail_from}\r\nX-Envelope-To: {', '.join(rcpt_tos)}\r\n".encode()
            path.write_bytes(head + data)
            self.messages.append(ReceivedMessage(mail_from, rcpt_tos, data, path))
        return "250 Message accepted for delivery"


class DevSmtpServer:
    """``start()`` / ``stop()``; ``host``, ``port``; ``messages`` as received (thread-safe snapshot)."""

    def __init__(self, folder: Path, host: str = "127.0.0.1", port: int | None = None) -> None:

        self.folder = folder
        self.host = host
        self.port = port or free_port()
        self._handler = _Handler(folder)
        self._controller: Controller | None = None

    @property
    def messages(self) -> list[ReceivedMessage]:
        with self._handler.lock:
            return list(self._handler.messages)

    def refuse(self, address: str, reply: str | None) -> None:
        """Answer RCPT TO for ``address`` with ``reply`` (a 4xx or 5xx line) from now on; None accepts it again."""
        with self._handler.lock:
            if reply is None:
                self._handler.refuse.pop(address.lower(), None)
            else:
                self._handler.refuse[address.lower()] = reply

    def clear(self) -> None:
        with self._handler.lock:
            self._handler.messages.clear()

    def airflow_connection_uri(self) -> str:
        """The ``AIRFLOW_CONN_NEWSROOM_SMTP`` value (JSON form): plain SMTP on loopback, no auth. Both
        spellings: ``ssl``/``starttls`` (the digest's sender) and ``disable_ssl``/``disable_tls`` (Airflow's
        SmtpHook, under the watchdog's SmtpNotifier)."""
        extra = {
            "starttls": False,
            "ssl": False,
            "disable_ssl": True,
            "disable_tls": True,
            "from_email": "newsroom@localhost",
        }
        return json.dumps({"conn_type": "smtp", "host": self.host, "port": self.port, "extra": extra})

    def start(self) -> None:

        if port_open(self.port):
            raise RuntimeError(f"port {self.port} is taken: is another SMTP server (make run) still running?")
        self.folder.mkdir(parents=True, exist_ok=True)
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command at INFO
        controller = Controller(self._handler, hostname=self.host, port=self.port, ready_timeout=10)
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> DevSmtpServer:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dev.devsmtp", description=__doc__)
    parser.add_argument("folder", nargs="?", default="var/mail")
    parser.add_argument("--port", type=int, default=2525)
    args = parser.parse_args(argv)
    server = DevSmtpServer(Path(args.folder), port=args.port)
    server.start()
    print(f"SMTP on {server.host}:{server.port}, messages saved in {server.folder}", flush=True)
    print(f"AIRFLOW_CONN_NEWSROOM_SMTP='{server.airflow_connection_uri()}'", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
