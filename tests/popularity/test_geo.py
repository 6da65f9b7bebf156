"""Countries looked up from the reader's address with django.contrib.gis.geoip2 (GEOIP_PATH),
in a small MaxMind-format database written for the test (the real GeoLite2 file is the
owner's download): the address is looked up and dropped."""

import json
import socket

import pytest
from django.core.checks import run_checks
from django.db import connection
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from popularity.counting import geo
from popularity.counting.flush import buffer_flush
from popularity.models import DailyOrigin, SiteDailyOrigin
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

BRITISH = "81.2.69.160"
SWEDISH_V6 = "2001:218:85a3::8a2e:370:7334"
UNKNOWN = "8.8.8.8"  # public, but not in the test database


@pytest.fixture(scope="module")
def country_file(tmp_path_factory):
    writer = MMDBWriter(
        ip_version=6,
        ipv4_compatible=True,
        database_type="GeoLite2-Country",
        languages=["en"],
        description="Happy Inner Self test countries",
    )
    for network, code, name in (
        ("81.2.69.0/24", "GB", "United Kingdom"),
        ("2001:218::/32", "SE", "Sweden"),
    ):
        writer.insert_network(
            IPSet([network]),
            {"country": {"iso_code": code, "names": {"en": name}}, "continent": {"code": "EU"}},
        )
    path = tmp_path_factory.mktemp("geoip") / "GeoLite2-Country.mmdb"
    writer.to_db_file(str(path))
    return path


@pytest.fixture
def geoip(settings, country_file):
    settings.GEOIP_PATH = str(country_file)
    yield country_file
    geo._reader.cache_clear()


@pytest.fixture
def no_dns(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a country lookup must never resolve a host name")

    monkeypatch.setattr(socket, "gethostbyname", refuse)


def test_addresses_are_looked_up_in_the_file(geoip, no_dns):
    assert geo.country_of_address(BRITISH) == "GB"
    assert geo.country_of_address(SWEDISH_V6) == "SE"
    for nothing in (UNKNOWN, "10.0.0.7", "127.0.0.1", "::1", "", "example.com", "1.2.3.4.5"):
        assert geo.country_of_address(nothing) == ""


def test_off_without_a_path(settings, country_file):
    settings.GEOIP_PATH = ""
    assert geo.country_of_address(BRITISH) == ""


def test_a_counted_view_keeps_the_country_and_never_the_address(read, geoip, no_dns):
    article = ArticleFactory()
    read(article.get_absolute_url(), ip=BRITISH)
    read(article.get_absolute_url(), ip=UNKNOWN)
    countries = dict(DailyOrigin.objects.filter(article=article).values_list("country", "views"))
    assert countries == {"GB": 1, "": 1}
    assert SiteDailyOrigin.objects.get(country="GB").views == 1
    stored = ""
    with connection.cursor() as cursor:
        for table in ("dailyorigin", "sitedailyorigin", "dailyview", "readerday"):
            cursor.execute(f"SELECT coalesce(json_agg(t)::text, '') FROM popularity_{table} AS t")
            stored += cursor.fetchone()[0]
    assert "GB" in stored and BRITISH not in stored and "81.2.69" not in stored


def test_through_the_redis_buffer_the_code_is_buffered_not_the_address(read, geoip, buffer):
    article = ArticleFactory()
    read(article.get_absolute_url(), ip=BRITISH)
    buffered = b" ".join(
        b"%s %s" % (key, value)
        for key, value in buffer.client.hgetall(f"{buffer.prefix}:buffer").items()
    )
    assert b"81.2.69" not in buffered
    buffer_flush()
    assert DailyOrigin.objects.get(article=article).country == "GB"


def test_the_proxy_header_wins_and_the_file_fills_in(read, geoip, settings):
    settings.POPULARITY_COUNTRY_HEADER = "CF-IPCountry"
    article = ArticleFactory()
    read(article.get_absolute_url(), ip=BRITISH, HTTP_CF_IPCOUNTRY="NZ")
    read(article.get_absolute_url(), ip="81.2.69.161", HTTP_CF_IPCOUNTRY="XX")  # unknown to it
    countries = dict(DailyOrigin.objects.filter(article=article).values_list("country", "views"))
    assert countries == {"NZ": 1, "GB": 1}


@pytest.mark.parametrize("problem", ["missing", "not a database"])
def test_a_path_that_cannot_be_used_stops_the_start(settings, tmp_path, problem):
    target = tmp_path / "GeoLite2-Country.mmdb"
    if problem == "not a database":
        target.write_text(json.dumps({"not": "a MaxMind file"}))
    settings.GEOIP_PATH = str(target)
    try:
        errors = [e for e in run_checks() if e.id == "popularity.E008"]
    finally:
        geo._reader.cache_clear()
    assert errors and "GEOIP_PATH" in errors[0].msg


def test_a_good_file_passes_the_check(geoip):
    assert not [e for e in run_checks() if e.id == "popularity.E008"]
