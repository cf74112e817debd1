"""The digest as email: subscribers, one MIME message per recipient, the SMTP connection.

Each message is ``multipart/alternative`` (the plain-text part, then the
HTML part with inlined styles), addressed to one recipient, with the headers
bulk mail needs to be delivered and unsubscribed from:

- ``Message-ID`` stable per (date, list, recipient), so a resend, if an
  operator ever releases one, is recognisable as the same message;
- ``List-Id`` (RFC 2919) ``<list.sender-domain>``;
- ``List-Unsubscribe`` (RFC 2369): ``digest.unsubscribe`` (an https URL gets
  the list and the address as query parameters) plus a ``mailto:``, and
  ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058; mailbox
  providers act on it only with an https URL);
- ``Date``, ``From`` (``digest.sender``), ``Subject`` (French, with the date).

The SMTP server is an Airflow connection (``digest.conn_id``): host, port,
login, password, extra ``{"starttls": bool, "ssl": bool}`` (optionally
``"timeout"`` in seconds and ``"helo"``).

Called by ``newsroom.digest.send``.
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from newsroom.store.digests import Recipient
from newsroom.subscribers import read_subscriber_rows

ONE_CLICK = "List-Unsubscribe=One-Click"


@dataclass(frozen=True)
class SubscriberList:
    recipients: list[Recipient]
    invalid: list[int]  # line numbers of addresses that are not addresses (never logged: privacy)
    duplicates: int


def read_subscribers(path: Path) -> SubscriberList:
    """The list's recipients (``newsroom.subscribers`` reads the CSV; its errors are SubscriberListError)."""
    rows, invalid, duplicates = read_subscriber_rows(path)
    return SubscriberList([Recipient(email, name) for email, name in rows], invalid, duplicates)


def sender_address(sender: str) -> str:
    return parseaddr(sender)[1] or sender


def sender_domain(sender: str) -> str:
    return sender_address(sender).rpartition("@")[2] or "localhost"


def message_id(digest_date: str, list_name: str, email: str, domain: str) -> str:
    """Stable per (date, list, recipient); the address never appears in it, and it is short enough not to fold."""
    token = hashlib.sha256(f"{digest_date}\x1f{list_name}\x1f{email}".encode()).hexdigest()[:16]
    return f"<digest-{digest_date}-{token}@{domain}>"


def list_id(site_name: str, list_name: str, domain: str) -> str:
    return f"{site_name} – {list_name} <{list_name}.{domain}>"


def unsubscribe_uris(unsubscribe: str, list_name: str, email: str, sender: str) -> list[str]:
    """The configured URI (an http(s) one names the list and the address) and a mailto."""
    uris: list[str] = []
    if unsubscribe.lower().startswith(("https://", "http://")):
        separator = "&" if "?" in unsubscribe else "?"
        uris.append(unsubscribe + separator + urlencode({"liste": list_name, "email": email}))
        subject = quote(f"désabonnement {list_name}", safe="")
        uris.append(f"mailto:{sender_address(sender)}?subject={subject}")
    else:
        uris.append(unsubscribe)
    return uris


def compose(
    *,
    sender: str,
    recipient: Recipient,
    subject: str,
    text: str,
    html: str,
    digest_date: str,
    list_name: str,
    site_name: str,
    unsubscribe: str,
    language: str,
    now: datetime,
) -> EmailMessage:
    """One recipient's message."""
    domain = sender_domain(sender)
    message = EmailMessage(policy=SMTP)
    message["From"] = sender
    message["To"] = (
        Address(display_name=recipient.name, addr_spec=recipient.email) if recipient.name else recipient.email
    )
    message["Subject"] = subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id(digest_date, list_name, recipient.email, domain)
    message["List-Id"] = list_id(site_name, list_name, domain)
    message["List-Unsubscribe"] = ", ".join(
        f"<{uri}>" for uri in unsubscribe_uris(unsubscribe, list_name, recipient.email, sender)
    )
    message["List-Unsubscribe-Post"] = ONE_CLICK
    message["Precedence"] = "bulk"
    message["Auto-Submitted"] = "auto-generated"
    message["Content-Language"] = language
    message.set_content(text, subtype="plain", charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    return message


# -- SMTP ---------------------------------------------------------------------
def _flag(value: Any, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    login: str | None = None
    password: str | None = None
    starttls: bool = True
    ssl: bool = False
    timeout: float = 60.0
    helo: str | None = None

    @classmethod
    def from_connection(cls, conn_id: str) -> SmtpSettings:
        """From the Airflow connection ``conn_id`` (e.g. ``AIRFLOW_CONN_NEWSROOM_SMTP``)."""
        from airflow.sdk import BaseHook

        conn = BaseHook.get_connection(conn_id)
        extra: dict[str, Any] = dict(conn.extra_dejson or {})
        use_ssl = _flag(extra.get("ssl"), False)
        starttls = _flag(extra.get("starttls"), not use_ssl) and not use_ssl
        port = int(conn.port) if conn.port else (465 if use_ssl else 587 if starttls else 25)
        return cls(
            host=conn.host or "localhost",
            port=port,
            login=conn.login or None,
            password=conn.password or None,
            starttls=starttls,
            ssl=use_ssl,
            timeout=float(extra.get("timeout", 60)),
            helo=extra.get("helo") or None,
        )

    def connect(self) -> smtplib.SMTP:
        """An open, authenticated SMTP session (TLS as configured)."""
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if self.ssl:
            smtp = smtplib.SMTP_SSL(
                self.host, self.port, local_hostname=self.helo, timeout=self.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(self.host, self.port, local_hostname=self.helo, timeout=self.timeout)
        try:
            if self.starttls:
                smtp.starttls(context=context)
                smtp.ehlo()
            if self.login:
                smtp.login(self.login, self.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp
