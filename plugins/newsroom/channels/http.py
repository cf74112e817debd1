"""The one HTTP helper the channel adapters share: a request with a timeout, its failures classified.

What can go wrong, and what the caller is told:

- the connection could not be made (refused, DNS, TLS, connect timeout): nothing
  reached the platform, :class:`RetryableError`;
- the request went out but no answer came (read timeout, connection cut):
  :class:`UncertainError` for a request that has an effect (POST), since the
  platform may have acted on it; :class:`RetryableError` for a GET, which has none;
- an answer that is not 2xx: :func:`classify_http` (429 and 5xx retryable, other
  4xx permanent), with the wait the platform asked for in ``retry_after``.

Secrets (a token in a URL, for instance Telegram's ``/bot<token>/``) are
scrubbed from every message with ``secrets``.
"""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import requests
from urllib3.exceptions import MaxRetryError

from newsroom.channels.base import ChannelError, RetryableError, UncertainError, classify_http

USER_AGENT = "newsroom-distribution/1.0 (+https://airflow.apache.org)"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

#: Headers that carry "when may I try again", most specific first.
RESET_HEADERS = ("x-rate-limit-reset", "x-ratelimit-reset", "ratelimit-reset")


def scrub(text: str, secrets: Iterable[str | None] = ()) -> str:
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


def _sent(exc: requests.exceptions.ConnectionError) -> bool:
    """False when the failure happened while connecting, so the request never went out."""
    if isinstance(exc, requests.exceptions.ConnectTimeout | requests.exceptions.SSLError):
        return False
    if isinstance(exc, requests.exceptions.ProxyError):
        return False
    cause = exc.args[0] if exc.args else None
    # urllib3 raises MaxRetryError only for connect-phase failures here: requests' adapter
    # retries nothing and re-raises read errors (a cut connection, a reset) as they are.
    return not isinstance(cause, MaxRetryError)


def seconds_until(value: str | None, *, now: float | None = None) -> float | None:
    """A wait in seconds from a Retry-After or rate-limit reset header value.

    Accepts delta seconds (``"30"``), a Unix time (``"1750000000"``, as X and
    Bluesky send), an ISO 8601 instant (Mastodon) or an HTTP date.
    """
    if value is None or not value.strip():
        return None
    value = value.strip()
    now = time.time() if now is None else now
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is not None:
        if number > 1_000_000_000:  # an absolute Unix time, not a delta
            return max(0.0, number - now)
        return max(0.0, number)
    try:
        instant = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if instant.tzinfo is not None:
            return max(0.0, instant.timestamp() - now)
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, parsed.timestamp() - now)


def retry_after(response: requests.Response) -> float | None:
    """The wait the platform asked for: Retry-After, else a rate-limit reset header."""
    wait = seconds_until(response.headers.get("Retry-After"))
    if wait is not None:
        return wait
    for header in RESET_HEADERS:
        wait = seconds_until(response.headers.get(header))
        if wait is not None:
            return wait
    return None


def error_for(response: requests.Response, what: str, secrets: Iterable[str | None] = ()) -> ChannelError:
    """The classified error for a non-2xx answer (429/5xx retryable, other 4xx permanent)."""
    wait = retry_after(response)
    body = scrub(response.text, secrets)
    error = classify_http(response.status_code, body, None if wait is None else str(wait), what)
    if error.retry_after is None and wait is not None and isinstance(error, RetryableError):
        error.retry_after = wait  # a 503 with Retry-After
    return error


def request(
    method: str,
    url: str,
    *,
    what: str,
    timeout: float,
    headers: Mapping[str, str] | None = None,
    params: Mapping[str, str | int] | None = None,
    json_body: Any = None,
    form: Mapping[str, str] | None = None,
    content: bytes | None = None,
    secrets: Iterable[str | None] = (),
) -> requests.Response:
    """Send one request; transport failures become channel errors, any HTTP answer is returned."""
    secrets = tuple(secrets)
    method = method.upper()
    effect = method not in SAFE_METHODS
    sent_headers = {"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})}
    failure: ChannelError
    try:
        return requests.request(
            method,
            url,
            headers=sent_headers,
            params=params,
            json=json_body,
            data=form if form is not None else content,
            timeout=timeout,
            allow_redirects=not effect,
        )
    except requests.exceptions.ConnectTimeout as exc:
        cause: Exception = exc
        failure = RetryableError(f"{what}: could not connect within {timeout:g}s")
    except requests.exceptions.ReadTimeout as exc:
        cause = exc
        if effect:
            failure = UncertainError(f"{what}: no answer within {timeout:g}s after sending; it may have been posted")
        else:
            failure = RetryableError(f"{what}: no answer within {timeout:g}s")
    except requests.exceptions.ConnectionError as exc:
        cause = exc
        if effect and _sent(exc):
            failure = UncertainError(f"{what}: connection lost after sending ({scrub(str(exc), secrets)})")
        else:
            failure = RetryableError(f"{what}: could not connect ({scrub(str(exc), secrets)})")
    except requests.exceptions.RequestException as exc:
        cause = exc
        if effect:
            failure = UncertainError(f"{what}: request failed after sending ({scrub(str(exc), secrets)})")
        else:
            failure = RetryableError(f"{what}: request failed ({scrub(str(exc), secrets)})")
    # Raised outside the handler: the original (whose text may hold a token in a URL) is
    # chained only when no secret appears anywhere in it.
    raise failure from _safe_cause(cause, secrets)


def _safe_cause(exc: BaseException, secrets: tuple[str | None, ...]) -> BaseException | None:
    """The exception to chain as the cause: the original, unless a secret shows anywhere in its chain."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        sent = getattr(current, "request", None)
        text = f"{current} {current.args!r} {getattr(sent, 'url', '')}"
        if any(s and len(s) >= 4 and s in text for s in secrets):
            return None
        current = current.__cause__ or current.__context__
    return exc


def check(response: requests.Response, what: str, secrets: Iterable[str | None] = ()) -> requests.Response:
    """The response itself when 2xx, else its classified error."""
    if 200 <= response.status_code < 300:
        return response
    raise error_for(response, what, secrets)


def json_of(response: requests.Response, what: str) -> Any:
    """The decoded JSON body of a 2xx answer.

    A 2xx answer that is not JSON (a proxy's page) to a POST may still mean the
    platform acted: that is uncertain, not a plain failure.
    """
    try:
        return response.json()
    except (ValueError, json.JSONDecodeError) as exc:
        message = f"{what}: HTTP {response.status_code} but the body is not JSON: {response.text[:200]!r}"
        method = (response.request.method or "GET").upper() if response.request is not None else "GET"
        if method in SAFE_METHODS:
            raise RetryableError(message, status=response.status_code) from exc
        raise UncertainError(message, status=response.status_code) from exc


def post_json(
    url: str,
    payload: Any,
    *,
    what: str,
    timeout: float,
    headers: Mapping[str, str] | None = None,
    secrets: Iterable[str | None] = (),
) -> Any:
    """POST a JSON body, return the decoded JSON answer (errors classified)."""
    secrets = tuple(secrets)
    response = request("POST", url, what=what, timeout=timeout, headers=headers, json_body=payload, secrets=secrets)
    return json_of(check(response, what, secrets), what)


def get_json(
    url: str,
    *,
    what: str,
    timeout: float,
    params: Mapping[str, str | int] | None = None,
    headers: Mapping[str, str] | None = None,
    secrets: Iterable[str | None] = (),
) -> Any:
    """GET a JSON document (errors classified; a GET failing in transport is retryable)."""
    secrets = tuple(secrets)
    response = request("GET", url, what=what, timeout=timeout, headers=headers, params=params, secrets=secrets)
    return json_of(check(response, what, secrets), what)
