"""Run the payload battery through the real pipeline, read every surface as its reader would.

One batch (a class of :data:`tests.support.payloads.PAYLOADS`) is filed into
a fresh inbox and store (SQLite), ingested by the real inbox (validation, the
sanitiser, quarantine), tagged as enrich would tag it (the taxonomy's reading
of the manual tags, and keywords carrying the payload), marked live, then:

- the whole site is rendered (``SiteRenderer.everything``): article pages,
  home, section and tag listings, RSS and Atom feeds, sitemaps;
- the day's digest is built: the email's HTML and text, its web page and archive;
- the distribution planner and sender post it on every channel, to the
  platform fakes over real HTTP on loopback (and the outbox to a bucket in memory).

Each output is read by :mod:`tests.support.readers`; an :class:`Output` holds
what would run in it. Each accepted filing's fields are looked for on the
surfaces that show them (escaped once: the text a reader sees is the text
filed); each probe must have been refused naming its field.

Used by ``tests/test_payloads.py`` (one test per class) and
``python -m bench.payloads`` (the matrix: classes x surfaces).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import yaml

from newsroom.channels import Channel, ChannelBase
from newsroom.channels.outbox import OutboxChannel
from newsroom.config import DEFAULT_CONFIG, NewsroomConfig, parse_config
from newsroom.digest.build import DigestBuilder
from newsroom.distribute.planner import plan_deliveries
from newsroom.distribute.sender import send_due
from newsroom.ingest import Inbox
from newsroom.render import SiteRenderer
from newsroom.render.environment import make_text_environment
from newsroom.resources import files_for
from newsroom.store import Store
from newsroom.taxonomy import load_taxonomy
from newsroom.text import slugify
from tests.support import readers
from tests.support.channels import adapter
from tests.support.fakes import FakeBluesky, FakeFacebook, FakeMastodon, FakePlatform, FakeTelegram, FakeWebhook, FakeX
from tests.support.payloads import KINDS, PAYLOADS, Filing, filings

TZ = ZoneInfo("Africa/Porto-Novo")
NOW = datetime(2025, 7, 1, 7, 0, tzinfo=TZ)
DAY = date(2025, 6, 30)
BASE_URL = "https://www.echo-du-golfe.example/"
SOCIAL = ["outbox", "mastodon", "bluesky", "x", "telegram", "facebook", "webhook"]
SURFACES = [
    "article page", "listing", "JSON-LD", "OG/Twitter", "RSS", "Atom", "sitemap",
    "email HTML", "email text", "digest page", *SOCIAL,
]  # fmt: skip
RSS_NS = {"dc": "http://purl.org/dc/elements/1.1/", "media": "http://search.yahoo.com/mrss/"}
ATOM = "{http://www.w3.org/2005/Atom}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@dataclass(frozen=True)
class Output:
    surface: str
    where: str
    findings: list[str]


@dataclass
class BatchResult:
    kind: str
    outputs: list[Output] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # a field's text missing from a surface, or escaped twice
    misfiled: list[str] = field(default_factory=list)  # a probe accepted, or a filing refused
    probes: tuple[int, int] = (0, 0)  # (refused naming their field, filed)

    def live(self) -> list[Output]:
        return [o for o in self.outputs if o.findings]

    def count(self, surface: str) -> tuple[int, int]:
        """(outputs where something would run, outputs read) on one surface."""
        mine = [o for o in self.outputs if o.surface == surface]
        return sum(1 for o in mine if o.findings), len(mine)


class MemoryBucket:
    """The outbox's bucket, in memory."""

    bucket = "battery"
    prefix = ""
    client: Any = None

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def put(self, key: str, body: bytes, md5_hex: str, kind: str) -> None:
        self.objects[key] = body


@dataclass
class Platforms:
    """The platform fakes (started once, shared by the batches) and the outbox's bucket."""

    fakes: dict[str, FakePlatform]
    bucket: MemoryBucket = field(default_factory=MemoryBucket)

    @property
    def image_url(self) -> str:
        """An image the Bluesky fake serves, so the link card's thumbnail is fetched as in production."""
        fake = self.fakes["bluesky"]
        assert isinstance(fake, FakeBluesky)
        return fake.image_url

    def adapters(self) -> dict[str, Channel | ChannelBase]:
        found: dict[str, Channel | ChannelBase] = {k: adapter(f) for k, f in self.fakes.items()}
        found["outbox"] = OutboxChannel("outbox", self.bucket)
        return found

    def posts(self, start: dict[str, int]) -> dict[str, list[Any]]:
        """What each platform accepted since ``start`` (from :meth:`mark`)."""
        found: dict[str, list[Any]] = {k: list(f.posts[start[k] :]) for k, f in self.fakes.items()}
        found["outbox"] = [json.loads(b) for k, b in sorted(self.bucket.objects.items())[start["outbox"] :]]
        return found

    def mark(self) -> dict[str, int]:
        return {**{k: len(f.posts) for k, f in self.fakes.items()}, "outbox": len(self.bucket.objects)}

    def forget(self) -> None:
        """A fresh start for the next batch: X and Facebook refuse a post they already have."""
        for fake in self.fakes.values():
            fake.reset()
        self.bucket.objects.clear()


@contextmanager
def platforms() -> Iterator[Platforms]:
    kinds: list[type[FakePlatform]] = [FakeFacebook, FakeX, FakeTelegram, FakeMastodon, FakeBluesky, FakeWebhook]
    with ExitStack() as stack:
        fakes = {cls.name: stack.enter_context(cls()) for cls in kinds}
        yield Platforms(fakes)


def battery_config(state_dir: Path) -> NewsroomConfig:
    data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    data["site"]["base_url"] = BASE_URL
    data["channels"] = [{"name": name, "type": name, "conn_id": f"battery_{name}"} for name in SOCIAL]
    config = parse_config(data, DEFAULT_CONFIG, state_dir=state_dir)
    config.state_dir.mkdir(parents=True, exist_ok=True)
    return config


# -- the pipeline -----------------------------------------------------------------
def file_and_publish(config: NewsroomConfig, store: Store, batch: Sequence[Filing]) -> dict[str, str]:
    """Ingest the filings, tag and mark live what was accepted; {file name: quarantine field} of the refused."""
    inbox = Inbox(config, files_for(config))
    folder = config.state_dir / "filed"
    folder.mkdir(exist_ok=True)
    for filing in batch:
        path = folder / filing.name
        path.write_bytes(filing.data)
        inbox.file(path)
    outcome = inbox.process(store)
    taxonomy = load_taxonomy(config.taxonomy_path)
    ids = outcome.changed_ids
    records = store.articles.records(ids)
    for article_id in ids:
        article = records[article_id].article
        store.enrichments.save(
            article_id,
            tags=taxonomy.normalise(list(article.tags)),
            language="fr",
            topics=[],
            keywords=[article.summary],  # what extraction reads is the stored text
            notes=[],
            now=NOW,
        )
    store.articles.mark(ids, "published", NOW)
    refused = {}
    for report in config.quarantine_dir.glob("*.report.json"):
        found = json.loads(report.read_text(encoding="utf-8"))
        refused[found["file"]] = found["field"]
    return refused


def run_batch(kind: str, state_dir: Path, shared: Platforms, *, limit: int | None = None) -> BatchResult:
    """File one class of payloads (its first ``limit``), build every surface, read each one."""
    config = battery_config(state_dir)
    store = Store.from_url(config.database_url())
    batch = list(filings([p for p in PAYLOADS if p.kind == kind][:limit], shared.image_url))
    result = BatchResult(kind)
    refused = file_and_publish(config, store, batch)
    for filing in batch:
        got = refused.get(filing.name)
        if filing.refused_field is not None and got != filing.refused_field:
            result.misfiled.append(f"{filing.name}: expected refused on {filing.refused_field}, got {got}")
        elif filing.refused_field is None and got is not None:
            result.misfiled.append(f"{filing.name}: refused on {got}")
    probes = [f for f in batch if f.refused_field is not None]
    result.probes = (sum(refused.get(f.name) == f.refused_field for f in probes), len(probes))
    live = [f for f in batch if f.refused_field is None and f.name not in refused]
    paths = {f.article_id: store.articles.records([f.article_id])[f.article_id].path for f in live}

    pages = {page.key: page.body.decode("utf-8") for page in SiteRenderer(config, store, NOW).everything()}
    builder = DigestBuilder(config, store, NOW)
    content = builder.content(DAY)
    digest = {
        "email.html": builder.email_html(content),
        "email.txt": builder.email_text(content),
        "page": builder.web_page(content).body.decode("utf-8"),
        "archive": builder.archive_page(content).body.decode("utf-8"),
    }
    shared.forget()
    start = shared.mark()
    env = make_text_environment(config.templates_path)
    plan_deliveries(config, store, store.deliveries, config.channels, NOW)
    adapters = shared.adapters()
    for channel in config.channels:
        send_due(config, store, store.deliveries, channel, adapters[channel.name], env, NOW)
    posts = shared.posts(start)

    result.outputs = [*read_site(pages), *read_digest(digest), *read_social(posts)]
    check = Readability(result.unreadable)
    for filing in live:
        check.site(filing, paths[filing.article_id], pages)
        check.digest(filing, digest)
        check.social(filing, paths[filing.article_id], posts)
    return result


def run_all(root: Path, kinds: Sequence[str] = KINDS) -> list[BatchResult]:
    with platforms() as shared:
        return [run_batch(kind, root / f"batch-{n}", shared) for n, kind in enumerate(kinds)]


# -- reading each surface ---------------------------------------------------------
def read_site(pages: dict[str, str]) -> Iterator[Output]:
    for key, text in sorted(pages.items()):
        if key.endswith(".html"):
            article = key[:4].isdigit()
            yield Output("article page" if article else "listing", key, readers.html_findings(text))
            yield Output("OG/Twitter", key, readers.meta_findings(text))
            try:
                blocks = readers.json_ld(text)
                problems = [] if len(blocks) == 1 else [f"{len(blocks)} JSON-LD blocks"]
            except ValueError as exc:
                problems = [f"JSON-LD does not parse: {exc}"]
            yield Output("JSON-LD", key, problems)
        elif key.endswith("feed.xml"):
            yield Output("RSS", key, rss_findings(text))
        elif key.endswith("atom.xml"):
            yield Output("Atom", key, atom_findings(text))
        elif key.endswith(".xml"):
            yield Output("sitemap", key, sitemap_findings(text))


def _xml(text: str) -> ElementTree.Element | str:
    try:
        return ElementTree.fromstring(text.encode("utf-8"))
    except ElementTree.ParseError as exc:
        return f"not XML: {exc}"


def rss_findings(text: str) -> list[str]:
    root = _xml(text)
    if isinstance(root, str):
        return [root]
    found = readers.spoofing(text)
    for description in root.iter("description"):  # HTML once XML-decoded
        found += readers.html_findings(description.text or "")
    for tag in ("link", "guid", "comments"):
        found += [
            f"<{tag}> {e.text!r}" for e in root.iter(tag) if readers.scheme_of(e.text or "") not in ("http", "https")
        ]
    for element in [*root.iter("enclosure"), *root.iter(f"{{{RSS_NS['media']}}}content")]:
        if readers.scheme_of(element.get("url", "")) not in ("http", "https"):
            found.append(f"enclosure {element.get('url')!r}")
    return found


def atom_findings(text: str) -> list[str]:
    root = _xml(text)
    if isinstance(root, str):
        return [root]
    found = readers.spoofing(text)
    for element in root.iter():
        if element.get("type") in ("html", "xhtml") and element.tag != f"{ATOM}link":
            found += readers.html_findings(element.text or "")
        if element.tag == f"{ATOM}link" and readers.scheme_of(element.get("href", "")) not in ("http", "https"):
            found.append(f"link {element.get('href')!r}")
    return found


def sitemap_findings(text: str) -> list[str]:
    root = _xml(text)
    if isinstance(root, str):
        return [root]
    found = readers.spoofing(text)
    for element in root.iter():
        if element.tag.endswith("}loc") and readers.scheme_of(element.text or "") not in ("http", "https"):
            found.append(f"loc {element.text!r}")
    return found


def read_digest(digest: dict[str, str]) -> Iterator[Output]:
    yield Output("email HTML", "email.html", readers.html_findings(digest["email.html"]))
    yield Output("email text", "email.txt", readers.plain_findings(digest["email.txt"]))
    for name in ("page", "archive"):
        yield Output("digest page", name, readers.html_findings(digest[name]))


def _bluesky_findings(record: dict[str, Any]) -> list[str]:
    text = record["text"]
    links = [record["embed"]["external"]["uri"]]
    found = []
    for facet in record.get("facets", []):
        index, (feature,) = facet["index"], facet["features"]
        span = text.encode("utf-8")[index["byteStart"] : index["byteEnd"]].decode("utf-8")
        if feature["$type"].endswith("#link"):
            links.append(feature["uri"])
            if span != feature["uri"]:
                found.append(f"link facet over {span!r}, not its URL")
        elif span != "#" + feature["tag"] or any(c.isspace() or c == "#" for c in feature["tag"]):
            found.append(f"tag facet {feature['tag']!r} over {span!r}")
    return found + readers.plain_findings(text, links)


SOCIAL_READERS: dict[str, Callable[[Any], list[str]]] = {
    "outbox": lambda d: readers.plain_findings(d["text"], [d["url"], *([d["image_url"]] if d["image_url"] else [])]),
    "webhook": lambda d: readers.plain_findings(d["text"], [d["url"], *([d["image_url"]] if d["image_url"] else [])]),
    "mastodon": lambda p: readers.plain_findings(p["text"]),
    "bluesky": lambda p: _bluesky_findings(p["record"]),
    "x": lambda p: readers.plain_findings(p["original_text"], [u["expanded_url"] for u in p["entities"]["urls"]]),
    "telegram": lambda p: readers.telegram_findings(p["text"]),
    "facebook": lambda p: readers.plain_findings(p["message"], [p["link"]]),
}


def read_social(posts: dict[str, list[Any]]) -> Iterator[Output]:
    for channel, accepted in posts.items():
        for n, post in enumerate(accepted):
            yield Output(channel, f"{channel} post {n}", SOCIAL_READERS[channel](post))


def social_text(channel: str, post: Any) -> str:
    """What a reader of the channel sees of a post (its text; Telegram's with the HTML applied)."""
    if channel == "telegram":
        return readers.telegram_shown(post["text"])
    if channel == "bluesky":
        external = post["record"]["embed"]["external"]
        return f"{post['record']['text']} {external['title']} {external['description']}"
    if channel == "x":
        return str(post["original_text"])
    if channel == "facebook":
        return f"{post['message']} {post['link']}"
    if channel in ("outbox", "webhook"):
        return f"{post['text']} {post['summary']} {post['url']}"
    return str(post["text"])


# -- readability: each field's text, escaped once, where it belongs -----------------
def seen(value: str) -> str:
    """A field as a reader must see it: what validation keeps (no bidi controls), whitespace collapsed."""
    return readers.squash(readers.SPOOFING.sub("", value))


class Readability:
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems

    def expect(self, where: str, name: str, value: str, text: str) -> None:
        if seen(value) not in seen(text):
            self.problems.append(f"{where}: the {name} {seen(value)[:50]!r} is not what a reader sees")

    def equal(self, where: str, name: str, value: str, got: Any) -> None:
        if seen(value) != seen(str(got)):
            self.problems.append(f"{where}: the {name} reads {str(got)[:60]!r}, filed {seen(value)[:50]!r}")

    def site(self, filing: Filing, path: str, pages: dict[str, str]) -> None:
        fields, index = filing.fields, PAYLOADS.index(filing.payload)
        page = pages[path]
        text = readers.visible_text(page)
        for name in ("title", "summary", "author", "caption", "credit", "correction", "tag"):
            self.expect(path, name, fields[name], text)
        self.expect(path, "body", f"Avant B{index}.", text)
        meta = readers.head_meta(page)
        self.equal(path, "og:title", fields["title"], meta.get("og:title", [""])[0])
        self.equal(path, "og:description", fields["summary"], meta.get("og:description", [""])[0])
        self.equal(path, "og:image:alt", fields["alt"], meta.get("og:image:alt", [""])[0])
        try:
            (data,) = readers.json_ld(page)
        except ValueError:  # no block, two blocks, or one that does not parse
            self.problems.append(f"{path}: no JSON-LD to read")
        else:
            self.equal(path, "JSON-LD headline", fields["title"], data.get("headline"))
            self.equal(path, "JSON-LD description", fields["summary"], data.get("description"))
            self.equal(path, "JSON-LD author", fields["author"], data["author"][0].get("name"))
            self.equal(path, "JSON-LD correction", fields["correction"], data.get("correction", {}).get("text"))
        slugs = dict.fromkeys(slugify(name) for name in (seen(fields["tag"]), fields["tag"]))
        tag_page = next((key for s in slugs if (key := f"tag/{s}/index.html") in pages), None)
        if tag_page is None:
            self.problems.append(f"no tag page for the tag {seen(fields['tag'])[:50]!r}")
        else:
            self.expect(tag_page, "tag", fields["tag"], readers.visible_text(pages[tag_page]))
            self.expect(tag_page, "title", fields["title"], readers.visible_text(pages[tag_page]))
        rss = _xml(pages["feed.xml"])
        assert not isinstance(rss, str)
        items = {i.findtext("title") or "": i for i in rss.iter("item")}
        item = next((i for t, i in items.items() if seen(t) == seen(fields["title"])), None)
        if item is None:
            self.problems.append(f"feed.xml: no item titled {seen(fields['title'])[:50]!r}")
        else:
            description = readers.visible_text(f"<body>{item.findtext('description') or ''}")
            self.equal("feed.xml", "description", fields["summary"], description)
            self.equal("feed.xml", "dc:creator", fields["author"], item.findtext("dc:creator", namespaces=RSS_NS))
        atom = _xml(pages["atom.xml"])
        assert not isinstance(atom, str)
        entries = {e.findtext(f"{ATOM}title") or "": e for e in atom.iter(f"{ATOM}entry")}
        entry = next((e for t, e in entries.items() if seen(t) == seen(fields["title"])), None)
        if entry is None:
            self.problems.append(f"atom.xml: no entry titled {seen(fields['title'])[:50]!r}")
        else:
            self.equal("atom.xml", "summary", fields["summary"], entry.findtext(f"{ATOM}summary"))
        news = _xml(pages["sitemap-news.xml"])
        assert not isinstance(news, str)
        titles = [seen(t.text or "") for t in news.iter(f"{NEWS}title")]
        if seen(fields["title"]) not in titles:
            self.problems.append(f"sitemap-news.xml: no news:title {seen(fields['title'])[:50]!r}")

    def digest(self, filing: Filing, digest: dict[str, str]) -> None:
        for name in ("title", "summary"):
            self.expect("email.html", name, filing.fields[name], readers.visible_text(digest["email.html"]))
            self.expect("email.txt", name, filing.fields[name], digest["email.txt"])
            self.expect("digest page", name, filing.fields[name], readers.visible_text(digest["page"]))

    def social(self, filing: Filing, path: str, posts: dict[str, list[Any]]) -> None:
        for channel in SOCIAL:
            mine = [p for p in posts[channel] if path in json.dumps(p, ensure_ascii=False)]
            if len(mine) != 1:
                self.problems.append(f"{channel}: {len(mine)} posts for {path}")
                continue
            self.expect(channel, "title", filing.fields["title"], social_text(channel, mine[0]))
            if channel in ("outbox", "webhook", "bluesky"):
                self.expect(channel, "summary", filing.fields["summary"], social_text(channel, mine[0]))


# -- the figure ---------------------------------------------------------------------
LABELS = {
    "script": "script", "event handler": "on*", "scheme": "scheme", "obfuscated scheme": "obfusc.",
    "svg": "svg", "css": "css", "attribute breakout": "attr.", "script breakout": "</script",
    "embed, frame, form": "embed", "mXSS": "mXSS", "bidi, invisible": "bidi",
}  # fmt: skip


def matrix(results: Sequence[BatchResult]) -> str:
    """Surfaces x classes: outputs where a payload would run (or spoof); the last column, the outputs read."""
    labels = [LABELS.get(r.kind, r.kind[:8]) for r in results]
    lines = ["".ljust(13) + "".join(label.rjust(9) for label in labels) + "read".rjust(7)]
    for surface in SURFACES:
        cells = "".join(str(r.count(surface)[0]).rjust(9) for r in results)
        lines.append(surface.ljust(13) + cells + str(sum(r.count(surface)[1] for r in results)).rjust(7))
    return "\n".join(lines)
