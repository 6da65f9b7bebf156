import pytest

from popularity.checks import popularity_settings


def test_default_settings_pass():
    assert popularity_settings() == []


@pytest.mark.parametrize(
    ("name", "value", "error_id"),
    [
        ("POPULARITY_WIDGET_WINDOW", "week", "popularity.E001"),
        ("TRUSTED_PROXY_COUNT", -1, "popularity.E002"),
        ("POPULARITY_MAX_VIEWS_PER_READER", 0, "popularity.E003"),
        ("POPULARITY_TRENDING_HALF_LIFE_DAYS", 0, "popularity.E004"),
        ("POPULARITY_SPIKE_AGENT_SHARE", 0, "popularity.E005"),
        ("POPULARITY_SPIKE_AGENT_SHARE", 1.5, "popularity.E005"),
        ("POPULARITY_AGENT_RETENTION_DAYS", 0, "popularity.E006"),
        ("POPULARITY_DIGEST_RECIPIENTS", ["owner@example.org", "owner"], "popularity.E009"),
        ("POPULARITY_SEARCH_RETENTION_DAYS", 0, "popularity.E010"),
    ],
)
def test_bad_settings_are_reported_at_start_up(settings, name, value, error_id):
    setattr(settings, name, value)
    assert [error.id for error in popularity_settings()] == [error_id]
