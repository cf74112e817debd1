"""The feed writer as it was before feeds were written as text: feedgen's objects, serialised by lxml.

Kept only as the reference that tests/render/test_feed_bytes.py compares
:class:`newsroom.render.feeds.FeedWriter` with: the same values must give the
same bytes. It overrides the writer's ``_render`` alone, so both read the same
articles, authors and tags.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urljoin

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator

from newsroom.models import Listed
from newsroom.render.feeds import (
    ATOM_TYPE,
    GENERATOR,
    RSS_TYPE,
    FeedSpec,
    FeedWriter,
    _stamp,
    as_rss_html,
    image_type,
)
from newsroom.render.sitemaps import xml_text


class _Entry(FeedEntry):  # type: ignore[misc]
    """feedgen 1.0 drops the attributes (rel, type...) of an Atom entry's links; put them back."""

    def atom_entry(self, extensions: bool = True) -> Any:
        element = super().atom_entry(extensions)
        for node, data in zip(element.findall("link"), self.link() or [], strict=True):
            for name in ("rel", "type", "hreflang", "title", "length"):
                if data.get(name):
                    node.set(name, data[name])
        return element


class FeedgenWriter(FeedWriter):
    def _render(self, spec: FeedSpec, items: Sequence[Listed], *, atom: bool) -> bytes:
        newest = max((item.modified for item in items), default=None) or self._empty_feed_date()
        self_url = self.url_of(spec.atom_key if atom else spec.rss_key)
        fg = FeedGenerator()
        fg.load_extension("media")
        if not atom:
            fg.load_extension("dc", atom=False, rss=True)
        fg.id(self_url)
        fg.title(xml_text(spec.title))
        description = xml_text(spec.description or spec.title)
        fg.description(description if atom else as_rss_html(description))
        fg.link(href=self_url, rel="self", type=ATOM_TYPE if atom else RSS_TYPE)
        fg.link(href=spec.page_url, rel="alternate", type="text/html")  # the last link is RSS's <link>
        fg.language(self.site.language)
        fg.generator(GENERATOR)
        fg.author({"name": xml_text(self.site.name), "uri": self.url_of("")})
        fg.updated(_stamp(newest, self.site.tz))
        for item in items:
            self._new_entry(fg, item, atom=atom)
        return bytes(fg.atom_str(pretty=True) if atom else fg.rss_str(pretty=True))

    def _new_entry(self, fg: FeedGenerator, item: Listed, *, atom: bool) -> None:
        tz = self.site.tz
        details = self._details[item.id]
        url = self.url_of(item.path)
        entry = fg.add_entry(_Entry(), order="append")
        entry.guid(url, permalink=True)
        entry.title(xml_text(item.title))
        entry.link(href=url, rel="alternate", type="text/html")
        if item.summary:
            summary = xml_text(item.summary)
            entry.summary(summary if atom else as_rss_html(summary))
        entry.published(_stamp(item.published, tz))
        entry.updated(_stamp(item.modified, tz))
        names = [xml_text(name) for name in details.authors]
        if atom:
            for name in names:
                entry.author({"name": name})
        else:
            for name in names:
                entry.dc.dc_creator(name)
        for tag in details.tags:
            entry.category(term=tag.slug, label=xml_text(tag.name), scheme=self.tag_scheme)
        if item.image_url:
            image = urljoin(url, item.image_url)
            mime = image_type(image)
            if atom:
                entry.link(href=image, rel="enclosure", **({"type": mime} if mime else {}))
            elif mime:
                entry.enclosure(image, 0, mime)
            content = {"url": image, "medium": "image", "group": None}
            if mime:
                content["type"] = mime
            entry.media.content(content)
