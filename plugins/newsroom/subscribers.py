"""A digest list's subscribers: the ``email,name`` CSV the newsroom keeps, read in one place.

``newsroom.config`` reads each list when it loads (a missing file, one without an
``email`` column, or a malformed row refuses the configuration, naming the row);
``newsroom.digest.email`` reads it again when it sends. An address that is not an
address is skipped at send time and counted by line, never printed (privacy): a
typo in one address must not stop the newsroom's publishing.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

# ASCII addresses only (no SMTPUTF8 needed); no spaces, commas or angle brackets (no header injection)
EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?\.[A-Za-z]{2,63}$")
MAX_NAMED = 5  # malformed rows named in one error


class SubscriberListError(ValueError):
    """The subscriber CSV is missing, unreadable, has no ``email`` column, or malformed rows."""


def read_subscriber_rows(path: Path) -> tuple[list[tuple[str, str]], list[int], int]:
    """(address, name) pairs, lower-cased and de-duplicated; the lines of invalid addresses; duplicates.

    ``email,name`` CSV, UTF-8, header row. A row with more fields than the header (an
    unquoted comma in a name) or that the CSV reader cannot parse is an error naming its line.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SubscriberListError(f"{path}: subscriber list not found") from None
    except UnicodeDecodeError as exc:
        raise SubscriberListError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise SubscriberListError(f"{path}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    reader = csv.DictReader(text.splitlines(), restkey="\x00extra")
    rows: dict[str, str] = {}
    invalid: list[int] = []
    malformed: list[str] = []
    duplicates = 0
    try:
        fields = {(name or "").strip().lower(): name for name in reader.fieldnames or []}
        if "email" not in fields:
            raise SubscriberListError(f"{path}: expected a header row with an 'email' column")
        email_field, name_field = fields["email"], fields.get("name")
        for row in reader:
            line = reader.line_num
            if "\x00extra" in row:
                malformed.append(f"line {line}: more fields than the header (quote a name that holds a comma)")
                continue
            address = (row.get(email_field) or "").strip().lower()
            if not address:
                continue
            if not EMAIL_RE.fullmatch(address):
                invalid.append(line)
                continue
            if address in rows:
                duplicates += 1
                continue
            rows[address] = " ".join((row.get(name_field) or "").split()) if name_field else ""
    except csv.Error as exc:
        raise SubscriberListError(f"{path}: line {reader.line_num}: not CSV ({exc})") from None
    if malformed:
        more = f" (and {len(malformed) - MAX_NAMED} more)" if len(malformed) > MAX_NAMED else ""
        raise SubscriberListError(f"{path}: " + "; ".join(malformed[:MAX_NAMED]) + more)
    return list(rows.items()), invalid, duplicates
