"""Where a view came from and on what, as the counter names it (no database)."""

import pytest

from popularity.counting.origin import country_of, origin_of, platform_of, source_of_host
from popularity.models import ORIGIN_TEXT_MAX_LENGTH, Device, Source

SITE = "happyinnerself.example"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
IPAD = (
    "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)
ANDROID_TABLET = (
    "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
WINDOWS_EDGE = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0"
)


def source(referer: str, query: str = "") -> str:
    return origin_of(referer=referer, query=query, site_host=SITE).source


@pytest.mark.parametrize(
    ("referer", "expected"),
    [
        ("https://www.google.com/", Source.GOOGLE),
        ("https://www.google.co.uk/search?q=eye+twitching", Source.GOOGLE),
        ("https://l.facebook.com/l.php?u=https%3A%2F%2Fexample", Source.FACEBOOK),
        ("https://m.facebook.com/", Source.FACEBOOK),
        ("https://lm.facebook.com/", Source.FACEBOOK),
        ("https://t.co/abc123", Source.X),
        ("https://x.com/someone/status/1", Source.X),
        ("https://old.reddit.com/r/anxiety/", Source.REDDIT),
        ("https://www.bing.com/search?q=x", Source.BING),
        ("https://duckduckgo.com/", Source.DUCKDUCKGO),
        ("https://www.instagram.com/", Source.INSTAGRAM),
        ("https://www.linkedin.com/feed/", Source.LINKEDIN),
        ("https://www.pinterest.co.uk/pin/1/", Source.PINTEREST),
        ("https://m.youtube.com/watch?v=1", Source.YOUTUBE),
        ("https://mail.google.com/mail/u/0/", Source.NEWSLETTERS),
        ("https://us5.list-manage.com/track/click?u=1", Source.NEWSLETTERS),
        ("https://news.bbc.co.uk/some/page?secret=1", "bbc.co.uk"),
        ("https://someone.github.io/notes/", "someone.github.io"),
        ("https://www.happyinnerself.example/tags/sleep/", Source.INTERNAL),
        ("https://happyinnerself.example/", Source.INTERNAL),
        ("", Source.DIRECT),
        ("not a url", Source.DIRECT),
        ("https://[::1", Source.DIRECT),
        ("http://203.0.113.9/page", Source.OTHER),
        ("http://localhost:3000/", Source.OTHER),
    ],
)
def test_a_referrer_is_named_by_its_site_or_family_never_by_its_path(referer, expected):
    assert source(referer) == expected


def test_utm_tags_win_over_the_referrer():
    origin = origin_of(
        referer="https://www.google.com/",
        query="utm_source=weekly-digest&utm_medium=email&utm_campaign=spring-sleep",
        site_host=SITE,
    )
    assert (origin.source, origin.medium, origin.campaign) == (
        "weekly-digest",
        "email",
        "spring-sleep",
    )


def test_a_utm_source_naming_a_family_joins_it():
    assert source("", "utm_source=Facebook") == Source.FACEBOOK
    assert source("", "utm_source=newsletter&utm_campaign=may") == Source.NEWSLETTERS


def test_a_campaign_without_a_utm_source_keeps_the_referrer():
    origin = origin_of(referer="https://t.co/x", query="utm_campaign=launch", site_host=SITE)
    assert (origin.source, origin.campaign) == (Source.X, "launch")


def test_huge_values_are_cut_never_kept_whole():
    huge = "a" * 10_240
    for name in ("source", "medium", "campaign"):
        origin = origin_of(
            referer=f"https://{'b' * 60}.example.org/{huge}?{huge}",
            query=f"utm_source=digest&utm_{name}=%00{huge}"
            if name != "source"
            else f"utm_source=%00{huge}",
            site_host=SITE,
        )
        value = getattr(origin, name)
        assert value == "a" * ORIGIN_TEXT_MAX_LENGTH  # cut, and the NUL gone
    assert len(source(f"https://{'c' * 60}.{'d' * 60}.example.org/{huge}")) <= 100


def test_a_country_is_two_letters_or_unknown():
    assert country_of("de") == "DE"
    assert country_of(" NZ ") == "NZ"
    assert [country_of(v) for v in ("XX", "T1", "", "DEU", "<script>", "1.2.3.4")] == [""] * 6


@pytest.mark.parametrize(
    ("agent", "device", "browser", "system"),
    [
        (IPHONE, Device.MOBILE, "Mobile Safari", "iOS"),
        (IPAD, Device.TABLET, "Mobile Safari", "iOS"),
        (ANDROID_TABLET, Device.TABLET, "Chrome", "Android"),
        (WINDOWS_EDGE, Device.DESKTOP, "Edge", "Windows"),
    ],
)
def test_the_platform_comes_from_ua_parser(agent, device, browser, system):
    platform = platform_of(agent)
    assert (platform.device, platform.browser, platform.os) == (device, browser, system)


def test_a_made_up_agent_is_other_not_an_error():
    platform = platform_of("\x00" * 10_000)
    assert platform.device == Device.DESKTOP
    assert (platform.browser, platform.os) == ("Other", "Other")
    assert source_of_host("EXAMPLE.ORG.") == "example.org"
