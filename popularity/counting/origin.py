"""Where a counted view came from and on what: its source, campaign, device and country.

Only the normalised result is ever kept: a referrer's registrable domain (or the family it
belongs to), never its path or query string; the `utm_*` values cut to their columns; a
device class and the browser's and system's family names, never the user agent; a country
code, never the address it was looked up from.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import ua_parser
from django.conf import settings
from django.http import HttpRequest
from publicsuffixlist import PublicSuffixList

from core.client import client_ip

from ..models import (
    ORIGIN_FAMILY_MAX_LENGTH,
    ORIGIN_TEXT_MAX_LENGTH,
    Device,
    Source,
)
from .geo import country_of_address

# A header or query value is read only this far: a 10 kB Referer costs no more than a short one.
_READ_AT_MOST = 2048

# Registrable domains (and a few hosts) of the families the dashboard groups. A family name
# is also what a matching utm_source (lower case) becomes.
_FAMILIES: dict[str, str] = {
    "google": Source.GOOGLE,
    "bing": Source.BING,
    "duckduckgo": Source.DUCKDUCKGO,
    "facebook": Source.FACEBOOK,
    "fb": Source.FACEBOOK,
    "instagram": Source.INSTAGRAM,
    "twitter": Source.X,
    "x": Source.X,
    "t": Source.X,  # t.co
    "linkedin": Source.LINKEDIN,
    "lnkd": Source.LINKEDIN,
    "reddit": Source.REDDIT,
    "redd": Source.REDDIT,
    "pinterest": Source.PINTEREST,
    "pin": Source.PINTEREST,
    "youtube": Source.YOUTUBE,
    "youtu": Source.YOUTUBE,
    "newsletter": Source.NEWSLETTERS,
    "email": Source.NEWSLETTERS,
}
# Web mail and newsletter services: a reader who clicked a link in an email.
_NEWSLETTER_HOSTS = (
    "mail.google.com",
    "outlook.live.com",
    "outlook.office.com",
    "mail.yahoo.com",
    "mail.proton.me",
    "list-manage.com",
    "mailchi.mp",
    "substack.com",
    "buttondown.email",
    "convertkit-mail.com",
)
# Sub-domains that only say "mobile" or "link shim", not which site.
_NOISE_LABELS = ("www.", "m.", "l.", "lm.", "mobile.")
_COUNTRY = re.compile(r"[A-Z]{2}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Origin:
    """Where one view came from, as stored: nothing here can name a person."""

    source: str = Source.DIRECT
    medium: str = ""
    campaign: str = ""
    country: str = ""


@dataclass(frozen=True)
class Platform:
    device: str
    browser: str
    os: str


@functools.cache
def _public_suffixes() -> PublicSuffixList:
    # The list ships with the package (updated with its releases); loaded once per process.
    return PublicSuffixList()


def _clean(value: str, *, length: int = ORIGIN_TEXT_MAX_LENGTH) -> str:
    """A value as a column keeps it: trimmed, without control characters, cut."""
    return _CONTROL.sub("", value[:_READ_AT_MOST]).strip()[:length]


def _family(name: str) -> str | None:
    return _FAMILIES.get(name.lower())


def source_of_host(host: str) -> str:
    """A referring host as the dashboard names it: a family, or its registrable domain."""
    host = host.lower().rstrip(".")
    if any(host == h or host.endswith(f".{h}") for h in _NEWSLETTER_HOSTS):
        return Source.NEWSLETTERS
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:  # a bare address names no site, and an address is never kept
        return Source.OTHER
    for label in _NOISE_LABELS:
        host = host.removeprefix(label)
    domain = _public_suffixes().privatesuffix(host)
    if domain is None:  # "localhost", a bare suffix: no site to name
        return Source.OTHER
    suffix = _public_suffixes().publicsuffix(domain) or ""
    name = domain.removesuffix(f".{suffix}") if suffix else domain
    return _family(name) or domain[:ORIGIN_TEXT_MAX_LENGTH]


def origin_of(*, referer: str, query: str, site_host: str, country: str = "") -> Origin:
    """The view's origin from its Referer, its URL's query string and the site's own host.

    utm_source/utm_medium/utm_campaign win over the referrer; no referrer is "Direct / none";
    a referrer on this site is "Internal".
    """
    params = parse_qs(query[:_READ_AT_MOST], max_num_fields=50)
    utm = {
        name: _clean(params[f"utm_{name}"][0])
        for name in ("source", "medium", "campaign")
        if params.get(f"utm_{name}")
    }
    country = country_of(country)
    if utm.get("source"):
        named = _family(utm["source"]) or utm["source"]
        return Origin(named, utm.get("medium", ""), utm.get("campaign", ""), country)
    source: str = Source.DIRECT
    try:
        host = urlsplit(referer[:_READ_AT_MOST].strip()).hostname or ""
    except ValueError:  # a malformed URL (e.g. a broken IPv6 literal): no usable referrer
        host = ""
    if host:
        own = site_host.lower().split(":")[0].removeprefix("www.")
        source = Source.INTERNAL if host.removeprefix("www.") == own else source_of_host(host)
    return Origin(source, utm.get("medium", ""), utm.get("campaign", ""), country)


def country_of(value: str) -> str:
    """A two-letter country code a trusted proxy sent, or "" (unknown, Tor, anything else)."""
    value = value[:8].strip().upper()
    return value if _COUNTRY.fullmatch(value) and value != "XX" else ""


def request_origin(request: HttpRequest) -> Origin:
    """The origin of a request about to be counted (header names from the settings)."""
    header = settings.POPULARITY_COUNTRY_HEADER
    country = ""
    if header:
        country = country_of(request.META.get("HTTP_" + header.upper().replace("-", "_"), ""))
    if not country:  # looked up (GEOIP_PATH) and dropped: only the code is passed on
        country = country_of_address(client_ip(request))
    return origin_of(
        referer=request.META.get("HTTP_REFERER", ""),
        query=request.META.get("QUERY_STRING", ""),
        site_host=request.get_host(),
        country=country,
    )


_TABLET_WORDS = ("ipad", "tablet", "kindle", "silk", "playbook", "nexus 7", "nexus 9", "sm-t")
_MOBILE_SYSTEMS = ("iOS", "Android", "Windows Phone", "BlackBerry OS", "KaiOS", "Symbian OS")


def platform_of(user_agent: str) -> Platform:
    """Device class, browser family and OS family from ua-parser (its own cache keeps
    repeated agents at microseconds; a new one costs about a millisecond)."""
    result = ua_parser.parse(user_agent[:_READ_AT_MOST])
    browser = result.user_agent.family if result.user_agent else "Other"
    system = result.os.family if result.os else "Other"
    lowered = user_agent[:_READ_AT_MOST].lower()
    device_name = (result.device.family if result.device else "").lower()
    if any(word in device_name or word in lowered for word in _TABLET_WORDS) or (
        system == "Android" and "mobile" not in lowered
    ):
        device = Device.TABLET
    elif system in _MOBILE_SYSTEMS or "mobile" in lowered:
        device = Device.MOBILE
    else:
        device = Device.DESKTOP
    return Platform(
        device=device,
        browser=_clean(browser, length=ORIGIN_FAMILY_MAX_LENGTH) or "Other",
        os=_clean(system, length=ORIGIN_FAMILY_MAX_LENGTH) or "Other",
    )


# A DailyOrigin row's key beside its article and day, in ORIGIN_KEY_FIELDS order.
OriginKey = tuple[str, str, str, str, str, str, str]
ORIGIN_KEY_FIELDS = ("source", "medium", "campaign", "device", "browser", "os", "country")
# Where views with a new combination go once an article's day has all its rows.
OTHER_KEY: OriginKey = (Source.OTHER, "", "", Device.OTHER, "Other", "Other", "")


def origin_key(origin: Origin, platform: Platform) -> OriginKey:
    return (
        origin.source,
        origin.medium,
        origin.campaign,
        platform.device,
        platform.browser,
        platform.os,
        origin.country,
    )
