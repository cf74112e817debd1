"""The ops console (newsroom.web.desk) over real HTTP: behind a login, forms guarded by a token tied
to the caller's credential, the schedule and quarantine listed, a refused filing refiled, a restore.
The takedown in a real browser against the real stack: tests/e2e/test_standalone.py."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from newsroom.ingest import Inbox
from newsroom.resources import files_for, open_store
from tests.web.conftest import SAMPLES, TOKEN, Api

LATER = datetime.now(UTC) + timedelta(days=2)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _request(api: Api, method: str, path: str, form: dict[str, str] | None = None, token: str | None = TOKEN):
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(api.url + path, data=data, method=method)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=60) as answer:
            return answer.status, answer.read().decode("utf-8"), answer.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8"), exc.headers


def _form_token(page: str) -> str:
    found = re.search(r'name="token" value="([0-9a-f]{64})"', page)
    assert found, page[:500]
    return found.group(1)


def test_the_desk_needs_a_login_and_lists_the_schedule_and_quarantine(serve: Callable[..., Api]) -> None:
    api = serve()
    assert _request(api, "GET", "/desk", token=None)[0] == 401
    text = (SAMPLES / "benin-motos-godomey.md").read_text(encoding="utf-8")
    scheduled = text.replace("---\n", f"---\npublish_at: {LATER.isoformat()}\n", 1)
    api.call("POST", "/articles?name=benin-motos-godomey.md", scheduled.encode())
    api.call("POST", "/articles?name=broken-no-title.md", (SAMPLES / "broken-no-title.md").read_bytes())
    Inbox(api.config, files_for(api.config)).process(open_store(api.config))
    code, page, headers = _request(api, "GET", "/desk")
    assert code == 200 and "signed in as cms-bot" in page
    assert "benin-motos-godomey" in page and "Bénin: un réseau de présumés voleurs" in page  # goes live later
    assert "broken-no-title.md" in page and "title: missing or empty" in page  # quarantine, with the report
    assert headers["Cache-Control"] == "no-store"


def test_forms_need_the_token_of_the_caller_s_own_credential(serve: Callable[..., Api]) -> None:
    api = serve()
    code, page, _ = _request(api, "GET", "/desk")
    assert code == 200
    for form in ({"id": "x"}, {"id": "x", "token": "0" * 64}):
        code, body, _ = _request(api, "POST", "/desk/restore", form)
        assert code == 403 and "token" in body
    code, _, headers = _request(api, "POST", "/desk/restore", {"id": "nobody", "token": _form_token(page)})
    assert code == 303 and "error=no+article" in headers["Location"]


def test_a_refused_filing_is_refiled_from_the_desk(serve: Callable[..., Api]) -> None:
    api = serve()
    api.call("POST", "/articles?name=broken-no-title.md", (SAMPLES / "broken-no-title.md").read_bytes())
    Inbox(api.config, files_for(api.config)).process(open_store(api.config))
    (row,) = open_store(api.config).status.quarantined()
    code, page, _ = _request(api, "GET", "/desk")
    code, _, headers = _request(api, "POST", "/desk/refile", {"quarantine": str(row.id), "token": _form_token(page)})
    assert code == 303 and "done=" in headers["Location"], headers["Location"]
    pending = Inbox(api.config, files_for(api.config)).pending()
    assert [Inbox.original_name(p) for p in pending] == ["broken-no-title.md"]
    assert files_for(api.config).get(str(pending[0])) == (SAMPLES / "broken-no-title.md").read_bytes()
    code, page, _ = _request(api, "GET", "/desk?" + headers["Location"].split("?", 1)[1])
    assert "broken-no-title.md refiled by cms-bot" in page
