"""Real HTTP servers on loopback that speak each platform's API, for the channel, distribution and e2e tests.

One module per platform, sharing :mod:`tests.support.fakes.http`; the fixtures
(``facebook_fake``, ``x_fake``...) are in :mod:`tests.support.fakes.fixtures`.

Each fake is a stdlib ``ThreadingHTTPServer`` on ``127.0.0.1`` (a free port)
serving the endpoints the adapters call, with the platform's real success and
error bodies; it checks the credentials and the required fields (answering
401/400/422 as the platform does) and records what it accepted::

    with FakeMastodon() as fake:             # started on enter, stopped on exit
        fake.url                             # http://127.0.0.1:PORT
        fake.fail_next(429, retry_after=7)   # the next post answers 429 (the platform's own shape)
        fake.fail_next(500)                  # ... or 500 (any status: 401, 503...)
        fake.fail_next("hang", seconds=2)    # ... or accept the post, then answer nothing for 2 s
        fake.posts                           # every accepted post still online (dicts), oldest first
        fake.deleted                         # the posts deleted through the platform's delete call
        fake.requests                        # every request received (Seen), for shape checks

Faults queue up and apply, in order, to the requests that create posts (the
feed/tweet/sendMessage/statuses/createRecord/webhook POST), after the
credentials were checked; reads, logins and deletions are never faulted. A "hang" records
the post *before* going silent: a timeout after the platform received the
post is exactly the dangerous case the adapters must report as uncertain.
"""

from __future__ import annotations

from tests.support.fakes.bluesky import FakeBluesky, png_bytes
from tests.support.fakes.facebook import FakeFacebook
from tests.support.fakes.http import FakePlatform, Fault, Reply, Seen, json_reply
from tests.support.fakes.mastodon import FakeMastodon
from tests.support.fakes.telegram import FakeTelegram
from tests.support.fakes.webhook import FakeWebhook
from tests.support.fakes.x import FakeX

__all__ = [
    "FakeBluesky",
    "FakeFacebook",
    "FakeMastodon",
    "FakePlatform",
    "FakeTelegram",
    "FakeWebhook",
    "FakeX",
    "Fault",
    "Reply",
    "Seen",
    "json_reply",
    "png_bytes",
]
