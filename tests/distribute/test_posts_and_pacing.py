"""Post text within each platform's limits, hashtags and campaign links; pacing rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from newsroom.channels.limits import graphemes, x_length
from newsroom.channels.telegram import TelegramChannel
from newsroom.config import ChannelConfig, NewsroomConfig
from newsroom.distribute.pacing import allowance, in_quiet_hours
from newsroom.distribute.posts import build_post, campaign_url, hashtag
from newsroom.models import Tag
from newsroom.render.environment import make_text_environment
from tests.support.fakes import FakeTelegram

TZ = ZoneInfo("Africa/Porto-Novo")
TAGS = [
    Tag("vladimir-poutine", "Vladimir Poutine", "person"),
    Tag("benin", "Bénin", "place"),
    Tag("sante", "Santé", "topic"),
]
URL = "https://www.echo-du-golfe.example/2025/06/23/un-article-au-titre-assez-long.html"


def _post(config: NewsroomConfig, kind: str, title: str, summary: str, **channel: object):
    env = make_text_environment(config.templates_path)
    cfg = ChannelConfig.model_validate({"name": kind, "type": kind, **channel})
    return build_post(
        env, cfg, config, article_id="a", version=1, title=title, summary=summary, url=URL, section="diplomatie",
        tags=TAGS, image_url=None, image_alt="", language="fr",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "limit", "measure"), [("x", 280, x_length), ("mastodon", 500, x_length), ("bluesky", 300, graphemes)]
)
def test_long_texts_fit_the_platform_limit(config: NewsroomConfig, kind: str, limit: int, measure) -> None:
    title = "Bénin : " + "le gouvernement annonce une réforme ambitieuse de l’enseignement technique " * 6
    post = _post(config, kind, title.strip(), "Un résumé détaillé. " * 40)
    assert measure(post.text) <= limit
    assert URL in post.text  # the link survives every cut
    assert post.text.startswith("Bénin : le gouvernement")


def test_short_posts_keep_summary_and_hashtags(config: NewsroomConfig) -> None:
    post = _post(config, "mastodon", "Mali–Russie : nouveaux accords", "Signés à Moscou.")
    assert "Signés à Moscou." in post.text
    assert "#VladimirPoutine #Bénin #Santé" in post.text  # people and places before topics
    assert x_length(post.text) <= 500


def test_campaign_parameters_and_hashtags_off(config: NewsroomConfig) -> None:
    post = _post(config, "x", "Titre", "", campaign={"utm_source": "x", "utm_medium": "social"}, hashtags=False)
    assert post.url == URL + "?utm_medium=social&utm_source=x"
    assert "#" not in post.text
    assert campaign_url(URL + "?a=1", {"b": "2"}) == URL + "?a=1&b=2"


def test_telegram_escapes_html(config: NewsroomConfig) -> None:
    post = _post(config, "telegram", "Prix < 500 FCFA & plus", "")
    assert "<b>Prix &lt; 500 FCFA &amp; plus</b>" in post.text
    assert f'<a href="{URL}">' in post.text


def test_telegram_readers_see_the_title_once_decoded(config: NewsroomConfig, telegram_fake: FakeTelegram) -> None:
    # the template escapes each field once and the channel sends that HTML as it is: no "&#39;" or
    # literal "<b>" in what the channel's readers see
    title = "L'ONU <b>alerte</b> & « s'inquiète »"
    post = _post(config, "telegram", title, "")
    TelegramChannel("telegram", token=telegram_fake.token, chat_id=telegram_fake.chat_id, host=telegram_fake.url).send(
        post
    )
    shown = telegram_fake.message_texts()[0]
    assert shown.startswith(title + "\n")
    assert "&#39;" not in shown and "&lt;" not in shown and "&amp;" not in shown


def test_hashtag_and_lengths() -> None:
    assert hashtag(Tag("x", "Faustin-Archange Touadéra", "person")) == "#FaustinArchangeTouadéra"
    assert x_length("voir https://example.org/" + "a" * 100) == len("voir ") + 23
    assert graphemes("e\u0301té") == 3  # a combining accent is one grapheme


def _channel(**values: object) -> ChannelConfig:
    return ChannelConfig.model_validate({"name": "fb", "type": "facebook", **values})


NOW = datetime(2025, 6, 23, 12, 0, tzinfo=UTC)  # 13:00 in Porto-Novo


def test_min_gap_allows_one_post_then_waits() -> None:
    channel = _channel(min_gap_minutes=10, max_per_hour=4)
    assert allowance(channel, [], NOW, TZ) == 1
    assert allowance(channel, [NOW - timedelta(minutes=5)], NOW, TZ) == 0
    assert allowance(channel, [NOW - timedelta(minutes=11)], NOW, TZ) == 1


def test_cap_per_hour() -> None:
    channel = _channel(max_per_hour=3)
    assert allowance(channel, [], NOW, TZ) == 3
    assert allowance(channel, [NOW - timedelta(minutes=m) for m in (1, 2)], NOW, TZ) == 1
    assert allowance(channel, [NOW - timedelta(minutes=m) for m in (1, 2, 3)], NOW, TZ) == 0
    assert allowance(channel, [NOW - timedelta(minutes=m) for m in (61, 62, 63)], NOW, TZ) == 3


def test_quiet_hours_in_site_time_overnight() -> None:
    assert in_quiet_hours("23:00-06:00", datetime(2025, 6, 23, 22, 30, tzinfo=UTC), TZ)  # 23:30 local
    assert in_quiet_hours("23:00-06:00", datetime(2025, 6, 23, 4, 0, tzinfo=UTC), TZ)  # 05:00 local
    assert not in_quiet_hours("23:00-06:00", datetime(2025, 6, 23, 5, 0, tzinfo=UTC), TZ)  # 06:00 local
    assert allowance(_channel(quiet_hours="12:00-14:00"), [], NOW, TZ) == 0
