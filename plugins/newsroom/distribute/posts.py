"""What a channel posts for an article: per-channel templates, within each platform's limits.

Templates live in ``include/templates/social/<type>.txt`` (or the channel's
``template``). They get ``title``, ``summary``, ``url`` (canonical, with the
channel's campaign parameters), ``hashtags`` and ``section``. The text is
made to fit the channel class's declared ``limit`` (X counts 280 characters
with any link as 23, Mastodon 500 with links as 23, Bluesky 300 graphemes, see
each class in ``newsroom.channels``); when a render is too long the summary
goes first, then hashtags, then the title is shortened with an ellipsis.
Called by ``newsroom.distribute.sender`` for each claimed delivery.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Sequence

from jinja2 import Environment

from newsroom.channels import Post, channel_class
from newsroom.config import ChannelConfig, NewsroomConfig
from newsroom.models import Tag
from newsroom.render.environment import get_template

HASHTAG_ORDER = {"person": 0, "organisation": 1, "event": 2, "place": 3, "topic": 4}


def hashtag(tag: Tag) -> str:
    """'Vladimir Poutine' -> '#VladimirPoutine', 'Bénin' -> '#Bénin' (platforms accept accents)."""
    words = re.split(r"[^\w]+", tag.name)
    return "#" + "".join(w[:1].upper() + w[1:] for w in words if w)


def campaign_url(url: str, params: dict[str, str]) -> str:
    if not params:
        return url
    return url + ("&" if "?" in url else "?") + urllib.parse.urlencode(sorted(params.items()))


def build_post(
    env: Environment,
    channel: ChannelConfig,
    config: NewsroomConfig,
    *,
    article_id: str,
    version: int,
    title: str,
    summary: str,
    url: str,
    section: str,
    tags: Sequence[Tag],
    image_url: str | None,
    image_alt: str,
    language: str,
) -> Post:
    template = get_template(env, channel.template or f"social/{channel.type}.txt")
    link = campaign_url(url, channel.campaign)
    tags_for_posting = sorted(tags, key=lambda t: (HASHTAG_ORDER.get(t.kind, len(HASHTAG_ORDER)), t.slug))
    hashtags = [hashtag(t) for t in tags_for_posting][: channel.max_hashtags] if channel.hashtags else []
    section_name = config.section(section).name

    def render(title_: str, summary_: str, tags_: Sequence[str]) -> str:
        text: str = template.render(
            title=title_, summary=summary_, url=link, hashtags=list(tags_), section=section_name
        )
        return text.strip()

    text = render(title, summary, hashtags)
    limit = channel_class(channel.type).limit
    if limit is not None and limit.measure(text) > limit.size:
        text = render(title, "", hashtags)
        while limit.measure(text) > limit.size and hashtags:
            hashtags = hashtags[:-1]
            text = render(title, "", hashtags)
        cut = len(title)
        while limit.measure(text) > limit.size and cut > 10:
            cut = max(10, cut - max(1, limit.measure(text) - limit.size))
            text = render(title[:cut].rstrip() + "…", "", hashtags)
    return Post(
        article_id=article_id,
        version=version,
        channel=channel.name,
        text=text,
        url=link,
        title=title,
        summary=summary,
        image_url=image_url,
        image_alt=image_alt,
        hashtags=tuple(hashtags),
        language=language,
    )
