"""Saved HTML pages of the legacy site -> article fields, or the reason the page is not an article.

Called by ``archive.importer`` for ``.html``/``.htm`` files; pure (bytes in,
fields out). The page's own markup is trusted first for what must be exact:
dates with their zone (``article:published_time``, JSON-LD ``datePublished``,
``<time datetime>``), the section (``article:section``, breadcrumbs, category
links), the canonical URL and the Open Graph image and description.
trafilatura finds the article body once the theme's furniture is pruned (ads
"- Publicité -", share buttons, related posts, comment form, sidebars), and
fills in what the markup lacks. French dates in the text ("lundi 23 juin 2025
à 18h20") are the last resort.

Section fronts, 404 pages, redirects and empty pages raise :class:`NotAnArticle`
with a reason, so the importer reports them instead of importing junk.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from copy import deepcopy
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlsplit

import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.htmlprocessing import convert_to_html
from trafilatura.settings import Document

from newsroom.text import fold

ARTICLE_TYPES = {"Article", "NewsArticle", "BlogPosting", "ReportageNewsArticle", "AnalysisNewsArticle", "Report"}
LISTING_TYPES = {"CollectionPage", "ItemList", "SearchResultsPage"}
LISTING_BODY_CLASSES = {"archive", "category", "tag", "home", "blog", "search", "author", "date", "paged"}
MIN_PAGE_CHARS = 40  # visible text below this: an empty page
MIN_BODY_CHARS = 120  # extracted article text below this: no article here
MIN_TEASERS = 5  # article links on a page without an article body: a section front
SUMMARY_CHARS = 300
# Past this many elements left after pruning (an article page of this theme has 60 to 150), trafilatura's main
# extractor alone: its fallbacks take time quadratic in a page's blocks (justext rescans runs of short ones)
FALLBACK_MAX_ELEMENTS = 1_000

# The theme's furniture around an article, pruned before extraction.
_JUNK_TOKENS = (
    "td-a-rec adsbygoogle advert advertisement ad-container publicite pub "
    "td-post-sharing td-post-sharing-top td-post-sharing-bottom td-default-sharing sharedaddy addtoany a2a_kit "
    "share-buttons social-share tdb_single_post_share "
    "td_block_related_posts tdb-single-related-posts tdb_single_related jp-relatedposts related-posts yarpp-related "
    "td-post-next-prev author-box-wrap tdb-author-box "
    "comments comment-respond td-comments-title-wrap "
    "td-pb-span4 td-main-sidebar td-ss-main-sidebar sidebar widget-area widget "
    "tdb-tags td-post-source-tags td-tags tdb_breadcrumbs tdb-breadcrumbs td-crumb-container entry-crumbs breadcrumbs "
    "td-category tdb-category td-post-views td-module-meta-info tdb-post-meta"
).split()
_JUNK_CLASSES = frozenset(_JUNK_TOKENS)
_JUNK_TAGS = frozenset({"nav", "aside", "form", "footer", "noscript", "iframe"})
_JUNK_IDS = frozenset({"comments", "respond", "sidebar", "secondary"})
_AD_HINT = re.compile(r"publicit|advert|annonce|sponsor", re.IGNORECASE)
_AD_LABEL = re.compile(r"^[\s\-–—]*(publicite|advertisement|annonce|sponsorise)[\s\-–—]*$")
_NOT_FOUND = re.compile(r"\b(erreur|error)\s*404\b|^404\b|\bpage (non trouvee|introuvable)\b|\bnot found\b")
# "Oups ... 404" / "Oups ... page": searched from the first "oups" only (a regex "oups.*(404|page)" would
# rescan the rest of the title from every "oups" in it: quadratic on a title repeating the word).
_OOPS, _OOPS_WHAT = re.compile(r"\boups\b"), re.compile(r"\b(404|page)\b")
_AUTHOR_PREFIX = re.compile(r"^(par|by|de)\s+", re.IGNORECASE)

_MONTHS = {
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
}  # fmt: skip
_FRENCH_DATE = re.compile(
    r"\b(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s+)?(1er|\d{1,2})\s+"
    rf"({'|'.join(_MONTHS)})\s+(\d{{4}})"
    r"(?:\s*(?:a|,|-)?\s*(\d{1,2})\s*(?:h|:)\s*(\d{2})?)?"
)
_PUBLISHED_AT = re.compile(r"\bpublie\s+le\s+")


class NotAnArticle(Exception):
    """The page is not an article (a section front, a 404 page, an empty page...): ``reason`` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Page:
    """What one article page yields: ``fields`` for ``build_article``, section candidates, its canonical URL."""

    fields: dict[str, Any]
    sections: list[str]
    url: str | None


def french_date(text: str) -> datetime | None:
    """The first French date in the text ('lundi 23 juin 2025 à 18h20'), without a zone; None if there is none."""
    match = _FRENCH_DATE.search(fold(text))
    if match is None:
        return None
    day, month, year, hour, minute = match.groups()
    try:
        return datetime(int(year), _MONTHS[month], 1 if day == "1er" else int(day), int(hour or 0), int(minute or 0))
    except ValueError:
        return None


def _meta(tree: HtmlElement, *names: str) -> str | None:
    for name in names:
        for value in tree.xpath("//meta[@property=$n or @name=$n or @itemprop=$n]/@content", n=name):
            if str(value).strip():
                return str(value).strip()
    return None


def _json_ld(tree: HtmlElement) -> Iterator[dict[str, Any]]:
    """Every JSON-LD object of the page (``@graph`` members included); broken blocks are ignored."""
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "", strict=False)
        except ValueError:
            continue
        stack = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(reversed(node))
            elif isinstance(node, dict):
                yield node
                if isinstance(node.get("@graph"), list):
                    stack.extend(reversed(node["@graph"]))


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("@type")
    return {str(k) for k in kind} if isinstance(kind, list) else {str(kind)}


def _text(element: Any) -> str:
    return " ".join(str(element.text_content()).split()) if isinstance(element, HtmlElement) else ""


def _section_candidates(tree: HtmlElement, ld: list[dict[str, Any]]) -> list[str]:
    """Section names and slugs the page gives, most explicit first (the importer maps them)."""
    found: list[str] = []
    if section := _meta(tree, "article:section"):
        found.append(section)
    crumbs = tree.xpath(
        "//*[contains(@class, 'breadcrumb') or contains(@class, 'crumbs') or @id='breadcrumbs']//a[@href]"
    )
    for link in reversed(crumbs):  # deepest first, the link's last path segment being the category's slug
        found.append(_text(link))
        found.append(urlsplit(str(link.get("href"))).path.rstrip("/").rpartition("/")[2])
    for node in ld:
        if "BreadcrumbList" in _types(node) and isinstance(node.get("itemListElement"), list):
            names = [i.get("name") for i in node["itemListElement"] if isinstance(i, dict) and i.get("item")]
            found.extend(str(n) for n in reversed(names) if n)
        if _types(node) & ARTICLE_TYPES:
            section = node.get("articleSection")
            found.extend(str(s) for s in (section if isinstance(section, list) else [section]) if s)
    found.extend(_text(a) for a in tree.xpath("//a[contains(concat(' ', @rel, ' '), ' category ')]"))
    for classes in tree.xpath("//article/@class | //*[contains(@class, 'type-post')]/@class"):
        found.extend(token.removeprefix("category-") for token in str(classes).split() if token.startswith("category-"))
    home = {"accueil", "home", "index", ""}
    return list(dict.fromkeys(name for name in found if fold(name) not in home))


def _iso(value: Any) -> str | None:
    """The value if it reads as an ISO 8601 date (what build_article accepts), else None."""
    text = str(value or "").strip()
    try:
        datetime.fromisoformat(text.replace(" ", "T", 1) if len(text) > 10 else text)
    except ValueError:
        return None
    return text


def _page_date(tree: HtmlElement, ld: list[dict[str, Any]], guesses: _Guesses) -> tuple[Any, str | None]:
    """(published, modified): the markup's ISO dates, then French dates near "Publié le", then guesses."""
    metas = ("article:published_time", "og:published_time", "datePublished", "date", "DC.date")
    stamps = [_meta(tree, name) for name in metas]
    stamps += [node.get("datePublished") for node in ld if _types(node) & ARTICLE_TYPES]
    stamps += tree.xpath(
        "//time[@itemprop='datePublished' or contains(@class, 'published') or contains(@class, 'entry-date')]"
        "/@datetime | //article//time/@datetime"
        " | //time[not(ancestor::header or ancestor::nav or ancestor::footer or ancestor::aside)]/@datetime"
    )
    published: Any = next((iso for stamp in stamps if (iso := _iso(stamp))), None)
    changes = [_meta(tree, n) for n in ("article:modified_time", "og:updated_time", "dateModified")]
    changes += [node.get("dateModified") for node in ld if _types(node) & ARTICLE_TYPES]
    modified = next((iso for stamp in changes if (iso := _iso(stamp))), None)
    if published:
        return published, modified
    body = fold(_text(tree.find("body")))
    if marked := _PUBLISHED_AT.search(body):
        published = french_date(body[marked.end() :][:80])
    if not published:
        for element in tree.xpath(
            "//body//*[contains(@class, 'date') or contains(@class, 'meta') or contains(@class, 'published')]"
            "[not(ancestor::header or ancestor::nav or ancestor::footer)]"
        ):
            if published := french_date(_text(element)):
                break
    published = published or _iso(guesses.doc.date) or french_date(body)
    return published, modified


def _not_an_article(tree: HtmlElement) -> str | None:
    """Why this page cannot be an article, from its markup alone (None if it may be one)."""
    title = " ".join(str(tree.xpath("string(//title)")).split())
    heading = " ".join(str(tree.xpath("string((//h1)[1])")).split())
    if "error404" in _body_classes(tree) or (
        not _meta(tree, "article:published_time") and _says_not_found(fold(f"{title} {heading}"))
    ):
        return f"404 page (title {title or heading!r})"
    refresh = str(tree.xpath("string(//meta[translate(@http-equiv, 'REFSH', 'refsh')='refresh']/@content)"))
    if "url=" in refresh.lower():
        return f"redirect page (to {refresh.split('=', 1)[-1].strip()})"
    visible = tree.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]")
    size = len(" ".join(" ".join(str(t) for t in visible).split()))
    if size < MIN_PAGE_CHARS:
        return f"empty page ({size} characters of text)"
    return None


def _says_not_found(text: str) -> bool:
    """The title or heading of a 404 page ('Erreur 404', 'Page introuvable', 'Oups ! Cette page...')."""
    if _NOT_FOUND.search(text):
        return True
    oops = _OOPS.search(text)
    return oops is not None and _OOPS_WHAT.search(text, oops.end()) is not None


def _body_classes(tree: HtmlElement) -> set[str]:
    return set(str(tree.xpath("string(//body/@class)")).split())


def _teasers(tree: HtmlElement) -> tuple[int, list[str]]:
    """(distinct article links in headings, their texts): what a section front is made of."""
    links = tree.xpath("//h2//a[@href] | //h3//a[@href] | //h4//a[@href]")
    return len({str(a.get("href")) for a in links}), [t for a in links if (t := _text(a))]


def _beyond_teasers(text: str, teasers: list[str]) -> int:
    """How much of the extracted text is not the teasers' titles: little on a section front. Counted word by
    word, in linear time (removing each title with str.replace rescans the text per title: quadratic)."""
    left = Counter(text.split())
    left.subtract(word for title in teasers for word in title.split())
    return max(sum((len(word) + 1) * count for word, count in left.items() if count > 0) - 1, 0)  # 1 space between


def _listing(tree: HtmlElement, ld: list[dict[str, Any]]) -> bool:
    """WordPress says so (body class archive, category...) or schema.org does (CollectionPage)."""
    return bool(_body_classes(tree) & LISTING_BODY_CLASSES) or any(_types(n) & LISTING_TYPES for n in ld)


def _single(tree: HtmlElement, ld: list[dict[str, Any]]) -> bool:
    """The page declares one article: WordPress's single-post class, article:published_time or JSON-LD."""
    return (
        bool(_body_classes(tree) & {"single", "single-post"})
        or bool(_meta(tree, "article:published_time"))
        or any(_types(n) & ARTICLE_TYPES for n in ld)
    )


def _prune(tree: HtmlElement) -> None:
    """Drop the theme's furniture and "- Publicité -" ad slots so only the article remains for trafilatura."""
    for element in tree.xpath("//*[text()]"):
        label = element.text or ""
        if len(label) > 40 or not _AD_HINT.search(label) or not _AD_LABEL.match(fold(_text(element))):
            continue
        slot = element
        while (parent := slot.getparent()) is not None and parent.tag != "body":
            around = _text(parent)  # the ad slot holds the label and an image or script, no other text
            if len(around) > 40 or not _AD_LABEL.match(fold(around)):
                break
            slot = parent
        if (parent := slot.getparent()) is not None:
            parent.remove(slot)
    for element in list(tree.iter()):
        if not isinstance(element.tag, str) or element.tag == "body":
            continue
        if (
            element.tag in _JUNK_TAGS
            or element.get("id") in _JUNK_IDS
            or not _JUNK_CLASSES.isdisjoint((element.get("class") or "").split())
        ) and (parent := element.getparent()) is not None:
            parent.remove(element)


def _text_of(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


def _body_html(body: etree._Element, title: str) -> str:
    """trafilatura's body as HTML, without a leading copy of the title."""
    html_body = convert_to_html(body)[0]
    if len(html_body) and html_body[0].tag in {"h1", "h2"} and fold(_text_of(html_body[0])) == fold(title):
        html_body.remove(html_body[0])
    parts = [html_body.text or ""] + [etree.tostring(child, encoding="unicode") for child in html_body]
    return "".join(parts).strip()


def _url_slug(url: str | None) -> str | None:
    """The permalink's last segment when it reads like a title's slug (WordPress's post_name), else None."""
    if not url:
        return None
    last = unquote(urlsplit(url).path.rstrip("/").rpartition("/")[2])
    last = re.sub(r"\.(html?|php|aspx?)$", "", last)
    return last if re.search(r"[^\W\d_]", last) and "-" in last else None


def _first_paragraph(body_html: str) -> str:
    paragraphs = etree.HTML(f"<div>{body_html}</div>").xpath("//p")
    return next((text for p in paragraphs if (text := _text_of(p))), "")


def _byline(tree: HtmlElement) -> str | None:
    """An author named by the page's own classes ('auteur', 'author-name') or rel="author"."""
    for element in tree.xpath("//*[@rel='author' or contains(@class, 'auteur') or contains(@class, 'author-name')]"):
        if name := _text(element):
            return name
    return None


def _extract_body(tree: HtmlElement) -> Document | None:
    """trafilatura on a pruned copy of the page: the article body only (metadata is read elsewhere)."""
    pruned = deepcopy(tree)
    _prune(pruned)
    doc = trafilatura.bare_extraction(
        pruned,
        fast=sum(1 for _ in pruned.iter()) > FALLBACK_MAX_ELEMENTS,
        include_comments=False,
        include_formatting=True,
        include_links=True,
        include_images=True,
        include_tables=True,
    )
    return doc if isinstance(doc, Document) and doc.body is not None else None


def read_page(data: bytes) -> Page:
    """One saved page -> its article fields; :class:`NotAnArticle` if it is not an article page."""
    if not data.strip():
        raise NotAnArticle("not an article: empty page (0 bytes)")
    tree = trafilatura.load_html(data)
    if tree is None or tree.find("body") is None:
        raise NotAnArticle("not an article: empty page (no HTML body)")
    if why := _not_an_article(tree):
        raise NotAnArticle(f"not an article: {why}")
    ld = list(_json_ld(tree))
    teasers, titles = _teasers(tree)
    front = f"not an article: section front ({teasers} article links, no article body)"
    if teasers >= MIN_TEASERS and _listing(tree, ld):
        raise NotAnArticle(front)
    doc = _extract_body(tree)
    text = " ".join((doc.text or "").split()) if doc is not None else ""
    if teasers >= MIN_TEASERS and not _single(tree, ld) and _beyond_teasers(text, titles) < sum(map(len, titles)):
        raise NotAnArticle(front)
    if doc is None or doc.body is None:
        raise NotAnArticle("not an article: no article text found on the page")
    if len(text) < MIN_BODY_CHARS:
        raise NotAnArticle(f"not an article: too little text ({len(text)} characters)")

    return _page(tree, ld, doc.body)


class _Guesses:
    """trafilatura's metadata guesses (htmldate for the date): computed only if the markup lacks something."""

    def __init__(self, tree: HtmlElement, url: str | None) -> None:
        self._tree, self._url = tree, url
        self._doc: Document | None = None

    @property
    def doc(self) -> Document:
        if self._doc is None:
            self._doc = trafilatura.extract_metadata(deepcopy(self._tree), default_url=self._url)
        return self._doc


def _page(tree: HtmlElement, ld: list[dict[str, Any]], body: etree._Element) -> Page:
    """The fields of an article page: its markup first, trafilatura's guesses for what it lacks."""
    url = _meta(tree, "og:url") or str(tree.xpath("string(//link[@rel='canonical']/@href)")) or None
    guesses = _Guesses(tree, url)
    title = _meta(tree, "og:title") or guesses.doc.title or " ".join(str(tree.xpath("string((//h1)[1])")).split())
    if (site := _meta(tree, "og:site_name")) and title:
        for separator in (" - ", " | ", " – ", " — "):
            title = title.removesuffix(f"{separator}{site}")
    fields: dict[str, Any] = {"title": title, "body_html": _body_html(body, title), "source_format": "html"}
    if slug := _url_slug(url):
        fields["slug"] = slug
    published, modified = _page_date(tree, ld, guesses)
    if published:
        fields["published"] = published
    if modified:
        fields["updated"] = modified
    author = _meta(tree, "author", "article:author") or _byline(tree) or guesses.doc.author
    if author and not author.startswith("http"):
        names = (_AUTHOR_PREFIX.sub("", a).strip(" -–—|") for a in re.split(r";|,| et ", author))
        fields["authors"] = list(dict.fromkeys(n for n in names if n))
    summary = _meta(tree, "og:description", "description") or _first_paragraph(fields["body_html"])
    if len(summary) > SUMMARY_CHARS:
        summary = summary[:SUMMARY_CHARS].rsplit(" ", 1)[0] + " …"
    fields["summary"] = summary
    if image := _meta(tree, "og:image", "twitter:image"):
        fields["image"] = {"url": image, "alt": _meta(tree, "og:image:alt") or ""}
    tag_links = tree.xpath(
        "//a[contains(concat(' ', @rel, ' '), ' tag ')][not(contains(@rel, 'category'))]"
        " | //*[contains(@class, 'tags')]//a[contains(@href, '/tag/')]"
    )
    if tags := list(dict.fromkeys(t for a in tag_links if (t := _text(a)))):
        fields["tags"] = tags
    sections = _section_candidates(tree, ld) or list(guesses.doc.categories or [])
    return Page(fields=fields, sections=sections, url=url)
