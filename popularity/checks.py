"""Settings mistakes are reported at start-up (manage.py check), not as a 500 on every page."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ValidationError
from django.core.validators import validate_email


@register()
def popularity_settings(app_configs=None, **kwargs) -> list[Error]:
    from .rankings import Window

    errors = []
    if settings.POPULARITY_WIDGET_WINDOW not in Window.values:
        errors.append(
            Error(
                f"POPULARITY_WIDGET_WINDOW is {settings.POPULARITY_WIDGET_WINDOW!r}.",
                hint=f"Use one of: {', '.join(Window.values)}.",
                id="popularity.E001",
            )
        )
    for name in ("TRUSTED_PROXY_COUNT", "POPULARITY_REPEAT_VIEW_MINUTES"):
        if getattr(settings, name) < 0:
            errors.append(Error(f"{name} cannot be negative.", id="popularity.E002"))
    if settings.POPULARITY_MAX_VIEWS_PER_READER < 1:
        errors.append(
            Error("POPULARITY_MAX_VIEWS_PER_READER must be 1 or more.", id="popularity.E003")
        )
    if settings.POPULARITY_TRENDING_HALF_LIFE_DAYS <= 0:
        errors.append(
            Error("POPULARITY_TRENDING_HALF_LIFE_DAYS must be above 0.", id="popularity.E004")
        )
    if not 0 < settings.POPULARITY_SPIKE_AGENT_SHARE <= 1:
        errors.append(
            Error(
                "POPULARITY_SPIKE_AGENT_SHARE must be above 0 and at most 1.",
                hint="It is a share of a day's views, e.g. 0.5 for half.",
                id="popularity.E005",
            )
        )
    if settings.POPULARITY_AGENT_RETENTION_DAYS < 1:
        errors.append(
            Error("POPULARITY_AGENT_RETENTION_DAYS must be 1 or more.", id="popularity.E006")
        )
    if settings.POPULARITY_SEARCH_RETENTION_DAYS < 1:
        errors.append(
            Error("POPULARITY_SEARCH_RETENTION_DAYS must be 1 or more.", id="popularity.E010")
        )
    if settings.POPULARITY_MAX_ORIGINS_PER_DAY < 2:
        errors.append(
            Error(
                "POPULARITY_MAX_ORIGINS_PER_DAY must be 2 or more.",
                hint="One row of its own and the shared Other row at the least.",
                id="popularity.E007",
            )
        )
    if settings.GEOIP_PATH:
        from .counting.geo import geoip_problem

        problem = geoip_problem(str(settings.GEOIP_PATH))
        if problem:
            errors.append(
                Error(
                    f"GEOIP_PATH ({settings.GEOIP_PATH}) cannot be used: {problem}",
                    hint="Point it at a GeoLite2-Country .mmdb file (or the folder holding "
                    "it), or leave it empty to count no countries by address.",
                    id="popularity.E008",
                )
            )
    bad = [address for address in settings.POPULARITY_DIGEST_RECIPIENTS if not _is_email(address)]
    if bad:
        errors.append(
            Error(
                f"POPULARITY_DIGEST_RECIPIENTS has what is not an e-mail address: {bad}.",
                hint="Comma-separated addresses, or empty to send it to the Site owners.",
                id="popularity.E009",
            )
        )
    return errors


def _is_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True
