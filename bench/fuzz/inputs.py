"""Seeded generators of hostile input, one per format: valid structure with hostile mutations mixed in.

Each generator takes a :class:`random.Random` and a size cap (bytes) and returns
the bytes of one input. Hostile runs are repeated a log-uniform number of times
up to the cap, so most inputs are small and some reach the cap, where a
quadratic path costs seconds. The seeds are the shipped samples and the archive
fixtures; nothing here reads the network.
"""

from __future__ import annotations

import json
import math
import random
from functools import cache
from pathlib import Path
from typing import Any

from bench.util import REPO_ROOT

SAMPLES = REPO_ROOT / "include" / "samples"
FIXTURES = REPO_ROOT / "tests" / "archive" / "fixtures"
SECTIONS = ("politique", "diplomatie", "societe", "sport", "Politique", "inconnue", "")

# Constructs that make Markdown parsers backtrack, nest or rescan (cmark's pathological tests and ours).
MARKDOWN_RUNS = (
    "[", "![", "]", "a]", "[a", "[a](b", "[a](<b", "[(](", "*a **a ", " a** a*", "_*", "*a_ ", "a**b", "c* ",
    "a_ ", "_a ", "~~a ", "> ", ">\n", "  * a\n", "- ", "1. ", "a\n=\n", "|\n", "|a", "|-", "x|y\n", "`", "```\n",
    "<", "<a", "<!--", "</", "<http://", "<div>\n", "&", "&#", "&#x", "\\", "#", "    a\n\n", "\n", " ", "\t",
    "\x00", "[a]: /u\n", "[a]", "***", "\u202e", "e\u0301", "**", "__", "((", "))", "<!", "<?", "<![CDATA[",
)  # fmt: skip
HTML_RUNS = (
    "<b>", "<i>", "<b><i>", "</b>", "<a>", "<a href='/x'>", "<p>", "</p>", "<div>", "</div>", "<table>", "<td>",
    "<tr>", "<li>", "<ul>", "<select>", "<option>", "<svg>", "<math>", "<template>", "<script>", "</script>",
    "<style>", "<!--", "-->", "<![CDATA[", "&", "&#", "&amp;", "&#x0;", "<", ">", "\"", "'", "<img src=x onerror=1>",
    "<h2><a href='/a/x'>Titre</a></h2>", "<time datetime='0001-01-01'>", "<span>- Publicité -</span>", "Publicité ",
    "<div class='td-a-rec'>", "lundi 23 juin 2025 à 18h20 ", "publié le ", "oups ", "404 ", " ", "\n", "\x00",
    "<a rel='tag' href='/tag/x'>x</a>", "<a rel='category' href='/c/x'>x</a>", "<nav>", "<aside>", "<form>",
)  # fmt: skip
WXR_RUNS = (
    " ", "\n", "\n \n", "\t", "[caption]", "[caption", "[/caption]", "[caption id='1']<img src='a.jpg'> L[/caption]",
    "<!-- wp:", "<!-- wp:paragraph -->", "<!-- /wp:paragraph -->", "-->", "[gallery", "[gallery]", "[vc_row]", "<",
    "<p>", "<img ", "<a ", "[", "]", "<!--", "\r", "\r\n", "a\n", "<div>",
)  # fmt: skip
YAML_VALUES = (
    "0001-01-01", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "2025-02-30", "2025-13-45",
    "2025-06-23T10:30:00", "1e999", "!!float .inf", "!!float nan", "!!binary aGk=", "!!set {a, b}", "!!omap [a: 1]",
    "!!timestamp 2025-01-01", "!!python/object:os.system", "&a [1, 2]", "*a", "[*a]", "~", "[]", "{}", "'", '"open',
    '"\\ud800"', '"\\x00"', '"\\u202e"', "- a\n- b", "? a", "{[a]: 1}", "true", "-1", "[1, [2, [3]]]", "{a: {b: c}}",
    "|\n  bloc\n  texte", ">\n  plié", "!!str", "!", "@", "`", "%", "javascript:alert(1)", "http://[oops/x.jpg",
    "data:image/png;base64,AA", "../../etc/passwd", "a/b", "..", "x" * 300, "\u00e9" * 130, "0x" + "f" * 4000,
    "1" + ":0" * 3000, "[0x" + "f" * 4000 + "]", "!!int 0b" + "1" * 20000,
)  # fmt: skip
FRONT_MATTER_KEYS = (
    "title", "section", "published", "updated", "publish_at", "embargo_until", "authors", "tags", "summary", "image",
    "image_alt", "id", "slug", "language", "repost", "titel",
)  # fmt: skip
NINJS_KEYS = (
    "uri", "headline", "body_html", "body_text", "firstcreated", "versioncreated", "embargoed", "publish_at", "byline",
    "subject", "section", "description_text", "language", "slug", "ednote", "associations",
)  # fmt: skip
ODD_BYTES = (b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00", b"\xef\xbb\xbf", b"\r")
JSON_ODD_STRINGS = (
    "\ud800", "\udfff", "\x00", "\u202e", "", " ", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59-14:00", "2025-02-30",
    "javascript:alert(1)", "http://[oops/photo.jpg", "http://x/a\n.jpg", "../../x", "a/b", "urn:x:", ":", "/", "..",
    "<script>alert(1)</script>", "x" * 300,
)  # fmt: skip


def runs(rng: random.Random, cap: int) -> int:
    """How many times to repeat a hostile token: log-uniform between 1 and ``cap``."""
    return max(1, int(math.exp(rng.uniform(0, math.log(max(cap, 2))))))


def hostile_run(rng: random.Random, tokens: tuple[str, ...], cap: int) -> str:
    """One token, or two alternating, repeated up to ``cap`` characters."""
    token = rng.choice(tokens) + (rng.choice(tokens) if rng.random() < 0.3 else "")
    return token * runs(rng, cap // len(token))


def insert(rng: random.Random, text: str, piece: str) -> str:
    at = rng.randrange(len(text) + 1)
    return text[:at] + piece + text[at:]


def mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    """Flip, insert, delete, duplicate or truncate bytes (invalid UTF-8 and a CESU surrogate included)."""
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(data) + 1)
        kind = rng.randrange(6)
        if kind == 0 and data:
            at = min(at, len(data) - 1)
            data = data[:at] + bytes([data[at] ^ (1 << rng.randrange(8))]) + data[at + 1 :]
        elif kind == 1:
            data = data[:at] + rng.choice(ODD_BYTES) + data[at:]
        elif kind == 2:
            data = data[:at] + data[at + rng.randint(1, 64) :]
        elif kind == 3:
            data = data[:at] + data[at : at + rng.randint(1, 256)] * rng.randint(2, 8) + data[at:]
        elif kind == 4:
            data = data[:at]
        else:
            data = data[:at] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 16))) + data[at:]
    return data


def odd_json(rng: random.Random, depth: int = 0) -> Any:
    """A JSON value of any type: odd strings, huge and special numbers, nested containers."""
    kind = rng.randrange(9 if depth < 4 else 6)
    if kind == 0:
        return rng.choice(JSON_ODD_STRINGS)
    if kind == 1:
        return rng.choice([0, -1, 2**63, 10**400, 1e308, float("inf"), float("nan"), 1.5])
    if kind == 2:
        return rng.choice([None, True, False])
    if kind == 3:
        return "a" * runs(rng, 5000)
    if kind in (4, 5):
        return rng.choice(["Sport", "politique", "Mali, Russie", "La Rédaction et Service international"])
    if kind == 6:
        return [odd_json(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {rng.choice(["name", "rel", "code", "uri", "href", "original", "x"]): odd_json(rng, depth + 1)}


@cache
def _texts(folder: Path, pattern: str) -> tuple[str, ...]:
    return tuple(p.read_bytes().decode("utf-8", "surrogateescape") for p in sorted(folder.rglob(pattern)))


def markdown(rng: random.Random, cap: int) -> bytes:
    """A Markdown filing: front matter with odd values here and there, a body with hostile runs."""
    sample = rng.choice([t for t in _texts(SAMPLES, "*.md") if t.count("---") >= 2])
    _, head, body = sample.split("---\n", 2)
    lines = head.strip().splitlines()
    if rng.random() < 0.5:
        key = rng.choice(FRONT_MATTER_KEYS)
        value = rng.choice(YAML_VALUES) if rng.random() < 0.8 else rng.choice(SECTIONS)
        lines = [line for line in lines if not line.startswith(f"{key}:")] + [f"{key}: {value}"]
    if rng.random() < 0.1:
        lines.insert(0, "base: &a [" + "x, " * runs(rng, 500) + "]")
    if rng.random() < 0.05:
        lines.append(rng.choice(["0x" + "f" * 4000, "~", "2025", "[a]", "? [a]"]) + ": x")
    if rng.random() < 0.05:
        lines.append("deep: " + "[" * runs(rng, cap // 2))
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        body = insert(rng, body, hostile_run(rng, MARKDOWN_RUNS, cap))
    text = "---\n" + "\n".join(lines) + ("\n---\n" if rng.random() > 0.03 else "\n") + body
    data = text.encode("utf-8")
    return mutate_bytes(rng, data) if rng.random() < 0.2 else data


def ninjs(rng: random.Random, cap: int) -> bytes:
    """A ninjs document: a sample with odd values in some fields, hostile bodies, deep nesting."""
    doc: dict[str, Any] = json.loads(rng.choice(_texts(SAMPLES, "*.json") + _texts(FIXTURES / "ninjs", "[pt]*.json")))
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        doc[rng.choice(NINJS_KEYS)] = odd_json(rng)
    if rng.random() < 0.2:
        doc["associations"] = {"featureimage": {"uri": rng.choice(JSON_ODD_STRINGS), "renditions": odd_json(rng)}}
    if rng.random() < 0.3:
        doc.pop("body_html", None)
        doc["body_text"] = insert(
            rng, "Un paragraphe.\n\nUn autre.", hostile_run(rng, ("\n", " ", "\r\n", "\n \n"), cap)
        )
    elif rng.random() < 0.3:
        doc["body_html"] = insert(rng, str(doc.get("body_html")), hostile_run(rng, HTML_RUNS, cap))
    text = json.dumps(doc, ensure_ascii=rng.random() < 0.5 or _surrogates(doc))
    if rng.random() < 0.05:
        depth = runs(rng, cap // 2)
        text = text.replace('"uri"', '"deep": ' + "[" * depth + "]" * depth + ', "uri"', 1)
    if rng.random() < 0.03:
        text = text.replace('"uri"', '"big": 1' + "0" * runs(rng, 20_000) + ', "uri"', 1)
    data = text.encode("utf-8")
    return mutate_bytes(rng, data) if rng.random() < 0.2 else data


def _surrogates(value: Any) -> bool:
    return "\\ud" in json.dumps(value)


def html_page(rng: random.Random, cap: int) -> bytes:
    """A saved page of the legacy site (or a minimal one) with hostile runs, odd markup and dates."""
    pages = _texts(FIXTURES / "site", "*.htm*")
    page = rng.choice(pages) if rng.random() < 0.8 else _minimal_page(rng)
    if rng.random() < 0.15 and "<title>" in page:
        word = rng.choice(["oups ", "404 ", "page ", "Publicité ", "a ", "erreur "])
        page = page.replace("<title>", "<title>" + word * runs(rng, cap // len(word)), 1)
    for _ in range(rng.choice([0, 1, 1, 2, 4])):
        page = insert(rng, page, hostile_run(rng, HTML_RUNS, cap))
    if rng.random() < 0.1:
        stamp = rng.choice(JSON_ODD_STRINGS[5:9])
        page = page.replace("<head>", f'<head><meta property="article:published_time" content="{stamp}">', 1)
    if rng.random() < 0.05:
        depth = runs(rng, cap // 5)
        page = insert(rng, page, "<div>" * depth + "texte" + "</div>" * depth)
    data = page.encode("utf-8", "surrogateescape")  # a fixture page in Latin-1 stays so
    return mutate_bytes(rng, data) if rng.random() < 0.15 else data


def _minimal_page(rng: random.Random) -> str:
    title = rng.choice(["Oups ! Cette page est introuvable", "Titre", "", "Erreur 404"])
    body = "<p>" + "Un paragraphe d'article assez long pour être lu comme tel. " * rng.randint(0, 12) + "</p>"
    return (
        f"<html><head><title>{title}</title></head>"
        f"<body class='single'><article><h1>{title}</h1>{body}</article></body></html>"
    )


WXR_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
{doctype}<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>Export</title>
<wp:author><wp:author_login>redaction</wp:author_login>
<wp:author_display_name>La Rédaction</wp:author_display_name></wp:author>
"""
WXR_DATES = (
    "2025-06-23 10:00:00", "0000-00-00 00:00:00", "0001-01-01 00:00:00", "9999-12-31 23:59:59", "2025-02-30 10:00:00",
    "", "x",
)  # fmt: skip
WXR_PUB_DATES = ("", "Mon, 99 Foo 99999", "Mon, 23 Jun 2025 10:00:00 +0000", "Sat, 01 Jan 0001 00:00:00 +1400")
WXR_KINDS = (("post", "publish"),) * 6 + (("page", "publish"), ("post", "draft"), ("attachment", "inherit"))
BOMB = (
    '<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>\n'
)


def wxr(rng: random.Random, cap: int) -> bytes:
    """A WordPress export: the fixture or a few synthetic items, with hostile content and broken XML here and there."""
    if rng.random() < 0.3:
        text = rng.choice(_texts(FIXTURES / "wxr", "*.xml"))
        for _ in range(rng.choice([1, 1, 2])):
            text = text.replace("<![CDATA[", "<![CDATA[" + hostile_run(rng, WXR_RUNS, cap), 1)
    else:
        items = "".join(_wxr_item(rng, i, cap) for i in range(rng.randint(1, 5)))
        doctype = BOMB if rng.random() < 0.05 else ""
        text = WXR_HEAD.format(doctype=doctype) + items + ("</channel></rss>\n" if rng.random() > 0.05 else "")
    data = text.encode("utf-8")
    return mutate_bytes(rng, data) if rng.random() < 0.1 else data


def _wxr_item(rng: random.Random, index: int, cap: int) -> str:
    body = "Premier paragraphe.\n\nSecond paragraphe."
    for _ in range(rng.choice([0, 1, 1, 2])):
        body = insert(rng, body, hostile_run(rng, WXR_RUNS, cap))
    body = body.replace("]]>", "]]]]><![CDATA[>")
    odd = ""
    if rng.random() < 0.1:
        odd = rng.choice(["<foo:bar>x</foo:bar>", '<wp:meta foo:x="1"/>', "<a:b:c/>", "&undefined;", "<b>", "&c;"])
    post_type, status = rng.choice(WXR_KINDS)
    return (
        f"<item><title>Article {index} {rng.choice(['', '&amp;', '<![CDATA[<b>x</b>]]>'])}</title>"
        f"<link>https://example.bj/article-{index}/</link><dc:creator>{rng.choice(['redaction', '', 'x'])}</dc:creator>"
        f"<guid>https://example.bj/?p={index}</guid><content:encoded><![CDATA[{body}]]></content:encoded>"
        f"<excerpt:encoded><![CDATA[{rng.choice(['', 'Résumé', '<' * runs(rng, cap)])}]]></excerpt:encoded>"
        f"<wp:post_date_gmt>{rng.choice(WXR_DATES)}</wp:post_date_gmt><pubDate>{rng.choice(WXR_PUB_DATES)}</pubDate>"
        f"<wp:post_name>{rng.choice(['article', '%E9%ZZ', '', '..'])}-{index}</wp:post_name>{odd}"
        f"<wp:status>{status}</wp:status><wp:post_type>{post_type}</wp:post_type><wp:post_id>{index}</wp:post_id>"
        f'<category domain="category" nicename="{rng.choice(SECTIONS)}"><![CDATA[{rng.choice(SECTIONS)}]]></category>'
        f'<category domain="post_tag" nicename="t"><![CDATA[Tag]]></category>'
        "<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>1</wp:meta_value></wp:postmeta></item>\n"
    )


def fragment(rng: random.Random, cap: int) -> bytes:
    """An HTML fragment for the sanitiser: misnested tags, comments, entities, scripts, deep nesting."""
    pieces = [
        hostile_run(rng, HTML_RUNS, cap // 4) if rng.random() < 0.3 else rng.choice(HTML_RUNS)
        for _ in range(rng.randint(1, 12))
    ]
    text = "".join(pieces)
    return mutate_bytes(rng, text.encode("utf-8")) if rng.random() < 0.2 else text.encode("utf-8")


def partition(rng: random.Random, cap: int) -> bytes:
    """An archive partition file ({"article": ..., "source": ...}) with odd values, deep nesting or broken bytes."""
    article: dict[str, Any] = {
        "id": "20250623-article", "title": "Titre", "slug": "titre", "section": "politique",
        "published": "2025-06-23T10:00:00+00:00", "body_html": "<p>Texte.</p>", "authors": ["La Rédaction"],
        "tags": ["Mali"], "source_format": "wxr",
    }  # fmt: skip
    for _ in range(rng.choice([0, 1, 2, 3])):
        article[rng.choice([*article, "image", "updated", "notes", "x"])] = odd_json(rng)
    record: Any = {"article": article, "source": {"file": "export.xml", "item": "1"}}
    if rng.random() < 0.1:
        record = odd_json(rng)
    text = json.dumps(record, ensure_ascii=True)
    if rng.random() < 0.03:
        text = text.replace('"title"', '"big": 1' + "0" * runs(rng, 20_000) + ', "title"', 1)
    if rng.random() < 0.05:
        depth = runs(rng, cap // 2)
        text = "[" * depth + "]" * depth
    data = text.encode("utf-8")
    return mutate_bytes(rng, data) if rng.random() < 0.2 else data
