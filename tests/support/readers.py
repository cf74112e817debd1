"""Read an output as its reader would, and say what in it would run: the payload battery's checks.

- :func:`html_findings`: a page or an email as a browser builds it (html5lib,
  the WHATWG algorithm, scripting on, as in a browser: ``<noscript>`` is raw
  text); anything executable is a finding: a ``<script>`` other than the one
  JSON-LD block in ``<head>``, ``iframe``/``object``/``embed``/``base``/``form``
  and their kin, a ``meta`` refresh (except the redirect page's own, to http(s)),
  an ``on*`` attribute, a URL attribute whose scheme (as a browser resolves
  it: entities decoded, tabs and newlines removed, leading controls and spaces
  stripped) is not http(s), mailto (links only) or relative, CSS that loads
  or evaluates (``url(``, ``expression(``, ``@import``, ``javascript:``,
  ``behavior``, ``-moz-binding``).
- :func:`meta_findings`: Open Graph and Twitter cards: an ``og:image``,
  ``og:url`` or ``twitter:image`` whose content is not an absolute http(s) URL.
- :func:`json_ld`: the JSON-LD blocks exactly as the browser's tokenizer cuts
  them (the script ends at the first ``</script``), then ``json.loads``.
- :func:`telegram_findings`: Telegram's HTML subset (its tags, its named entities).
- :func:`plain_findings`: plain text for X, Mastodon, Bluesky: the only markup
  a platform adds is links, so any ``scheme://`` it would link must be http(s).

Every check also flags the bidi controls (U+202A-U+202E, U+2066-U+2069),
control characters and zero-width spaces that the pipeline removes from what
filers write (:func:`spoofing`).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any
from xml.etree import ElementTree

import html5lib

XLINK = "{http://www.w3.org/1999/xlink}"
EXECUTABLE = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "form", "portal", "noembed"}
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "poster", "background", "cite", "data", "lowsrc", "dynsrc",
    "longdesc", "ping", "manifest", "codebase", "icon", "usemap", "xlink:href", "archive", "profile",
}  # fmt: skip
URL_META = {"og:image", "og:image:url", "og:image:secure_url", "og:url", "og:video", "og:audio", "twitter:image"}
CSS_ACTIVE = re.compile(r"url\s*\(|expression\s*\(|@import|javascript:|behavior\s*:|-moz-binding", re.IGNORECASE)
_C0_AND_SPACE = "".join(map(chr, range(0x21)))  # what the URL parser strips from both ends
SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
# written out here, not imported: the readers' own idea of what must not reach a reader
SPOOFING = re.compile("[\u202a-\u202e\u2066-\u2069\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\u200b\u2060\ufeff]")
TELEGRAM_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "span"}
TELEGRAM_TAGS |= {"tg-spoiler", "tg-emoji", "blockquote"}
_PARSER = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("etree"), namespaceHTMLElements=False)


@lru_cache(maxsize=256)
def parse_html(text: str) -> ElementTree.Element:
    """The document a browser builds (scripting enabled); the same text is parsed once (read, never changed)."""
    root: ElementTree.Element = _PARSER.parse(text, scripting=True)
    return root


def local(name: str) -> str:
    """An element or attribute name without its namespace (SVG and MathML elements carry one)."""
    if name.startswith(XLINK):
        return "xlink:" + name[len(XLINK) :]
    return name.rsplit("}", 1)[-1].lower()


def scheme_of(url: str) -> str | None:
    """The scheme a browser reads in an attribute's (already entity-decoded) value, None if relative."""
    cleaned = re.sub(r"[\t\n\r]", "", url).strip(_C0_AND_SPACE)
    match = SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


def url_problem(url: str, *, link: bool) -> str | None:
    scheme = scheme_of(url)
    allowed = {"http", "https", "mailto"} if link else {"http", "https"}
    if scheme is None or scheme in allowed:
        return None
    return f"{scheme}: URL {url[:60]!r}"


def _walk(root: ElementTree.Element) -> Iterator[tuple[ElementTree.Element, list[str]]]:
    """Each element with the names of its ancestors."""
    stack: list[tuple[ElementTree.Element, list[str]]] = [(root, [])]
    while stack:
        element, path = stack.pop()
        if not isinstance(element.tag, str):  # a comment
            continue
        yield element, path
        stack.extend((child, [*path, local(element.tag)]) for child in reversed(list(element)))


def html_findings(text: str, *, redirect: bool = False) -> list[str]:
    """What would run in this page or email (see the module docstring); [] when nothing would."""
    found = spoofing(text)
    json_ld_seen = 0
    for element, path in _walk(parse_html(text)):
        tag = local(element.tag)
        attrs = {local(k): v for k, v in element.attrib.items()}
        if tag == "script":
            if attrs.get("type") == "application/ld+json" and path[-1:] == ["head"] and not json_ld_seen:
                json_ld_seen += 1
            else:
                found.append(f"<script> in {'/'.join(path[-2:])}: {(element.text or '')[:40]!r}")
        elif tag in EXECUTABLE:
            found.append(f"<{tag}>")
        elif tag == "link" and path[-1:] != ["head"]:
            found.append("<link> outside <head>")
        elif tag == "style" and CSS_ACTIVE.search(element.text or ""):
            found.append(f"<style> that loads or evaluates: {(element.text or '')[:60]!r}")
        elif tag == "meta":
            found += _meta_findings(attrs, redirect=redirect)
        elif tag in ("animate", "set") and attrs.get("attributename", "").lower() in ("href", "xlink:href"):
            for key in ("values", "to", "from"):
                if key in attrs and (problem := url_problem(attrs[key], link=False)):
                    found.append(f"<{tag}> sets href: {problem}")
        for name, value in attrs.items():
            if name.startswith("on"):
                found.append(f"{name} on <{tag}>")
            elif name in URL_ATTRIBUTES and (problem := url_problem(value, link=tag in ("a", "area"))):
                found.append(f"{name} of <{tag}>: {problem}")
            elif name == "srcset":
                for candidate in value.split(","):
                    if (url := candidate.strip().split(" ")[0]) and (problem := url_problem(url, link=False)):
                        found.append(f"srcset of <{tag}>: {problem}")
            elif name == "style" and CSS_ACTIVE.search(value):
                found.append(f"style on <{tag}> that loads or evaluates: {value[:60]!r}")
    return found


def _meta_findings(attrs: dict[str, str], *, redirect: bool) -> list[str]:
    equiv = attrs.get("http-equiv", "").lower()
    if equiv == "refresh":
        target = attrs.get("content", "").partition("url=")[2]
        if not redirect or not target or scheme_of(target) not in ("http", "https"):
            return [f"meta refresh to {target[:60]!r}"]
    elif equiv and equiv != "content-type":
        return [f"meta http-equiv={equiv}"]
    return []


def meta_findings(text: str) -> list[str]:
    """Open Graph and Twitter cards: an image or page URL that is not an absolute http(s) URL."""
    found = []
    for key, values in head_meta(text).items():
        for value in values:
            if key in URL_META and scheme_of(value) not in ("http", "https"):
                found.append(f"{key} content {value[:60]!r} is not an http(s) URL")
            found += [f"{key}: {problem}" for problem in spoofing(value)]
    return found


def visible_text(text: str) -> str:
    """The text a reader sees in a page or an email's body (whitespace collapsed), scripts and styles left out."""
    body = parse_html(text).find("body")
    if body is None:
        return ""
    parts: list[str] = []

    def collect(element: ElementTree.Element) -> None:
        if isinstance(element.tag, str) and local(element.tag) not in ("script", "style", "template"):
            parts.append(element.text or "")
            for child in element:
                collect(child)
        parts.append(element.tail or "")

    collect(body)
    return squash("".join(parts))


def squash(text: str) -> str:
    return " ".join(text.split())


def head_meta(text: str) -> dict[str, list[str]]:
    """``<meta property|name=... content=...>`` of the page's head, by key."""
    found: dict[str, list[str]] = {}
    head = parse_html(text).find("head")
    for element in head if head is not None else []:
        if isinstance(element.tag, str) and local(element.tag) == "meta":
            key = element.get("property") or element.get("name")
            if key:
                found.setdefault(key, []).append(element.get("content", ""))
    return found


def json_ld(text: str) -> list[Any]:
    """Each JSON-LD block of the page, cut as the browser's tokenizer cuts it, parsed (ValueError if invalid)."""
    blocks = []
    for element, _path in _walk(parse_html(text)):
        if local(element.tag) == "script" and element.get("type") == "application/ld+json":
            blocks.append(json.loads(element.text or ""))
    return blocks


def spoofing(text: str) -> list[str]:
    """Bidi embedding, override and isolate controls, and control characters, that reached an output."""
    return [f"U+{ord(c):04X} in the output" for c in sorted(set(SPOOFING.findall(text)))]


def telegram_findings(text: str) -> list[str]:
    """A Telegram HTML message: only its tags, links to http(s) only, its named entities only."""
    found = spoofing(text)
    for match in re.finditer(r"<(/?)([^\s>/]*)([^>]*)>", text):
        tag = match.group(2).lower()
        if tag not in TELEGRAM_TAGS:
            found.append(f"tag <{tag}> is not Telegram HTML")
        elif tag == "a" and not match.group(1):
            href = re.search(r'href="([^"]*)"', match.group(3))
            if href is None or scheme_of(html.unescape(href.group(1))) not in ("http", "https"):
                found.append(f"link {match.group(3)[:60]!r}")
    for match in re.finditer(r"&[^;\s]*;?", text):
        if not re.fullmatch(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);", match.group()):
            found.append(f"entity {match.group()[:12]!r} is not Telegram HTML")
    return found


def telegram_shown(text: str) -> str:
    """What a channel's reader sees of a Telegram HTML message (tags applied, entities decoded once)."""
    return squash(html.unescape(re.sub(r"</?[a-zA-Z][^>]*>", "", text)))


def plain_findings(text: str, links: Sequence[str] = ()) -> list[str]:
    """Plain text a platform shows as text: what it would link (any ``scheme://``, and ``links``) is http(s)."""
    found = spoofing(text.replace("\n", " "))
    for match in re.finditer(r"([a-zA-Z][a-zA-Z0-9+.-]*):/{2}", text):
        if match.group(1).lower() not in ("http", "https"):
            found.append(f"{match.group(1)}:// would be linked")
    for url in links:
        if scheme_of(url) not in ("http", "https"):
            found.append(f"link to {url[:60]!r}")
    return found
