"""A reader's country from their address, with Django's own GeoIP2 and a GeoLite2-Country
file the owner downloaded (GEOIP_PATH). Off unless GEOIP_PATH is set.

The address is looked up and dropped: only the two-letter code leaves this module, and
nothing here logs or keeps the address.
"""

from __future__ import annotations

import functools
import ipaddress
import logging

from django.conf import settings
from django.contrib.gis.geoip2 import GeoIP2, GeoIP2Exception
from geoip2.errors import AddressNotFoundError

logger = logging.getLogger(__name__)
# What a missing, unreadable or foreign file raises (maxminddb's InvalidDatabaseError is a
# RuntimeError).
_BAD_FILE = (GeoIP2Exception, OSError, RuntimeError, ValueError)


@functools.cache
def _reader(path: str) -> GeoIP2:
    """One open database per process and path (GeoIP2 maps the file into memory once)."""
    return GeoIP2(path)


def country_of_address(address: str) -> str:
    """The ISO country code of `address`, or "" when GEOIP_PATH is not set, the address is
    not a public one, or the database does not know it."""
    path = settings.GEOIP_PATH
    if not path:
        return ""
    try:
        # An address object, never the string: GeoIP2 resolves a string that is not an
        # address as a host name, and counting must never go out on the network.
        parsed = ipaddress.ip_address(address.strip()[:64])
    except ValueError:
        return ""
    if not parsed.is_global:
        return ""
    try:
        code = _reader(str(path)).country_code(parsed)
    except AddressNotFoundError:
        return ""
    except (
        GeoIP2Exception,
        OSError,
        RuntimeError,
        ValueError,
    ) as error:  # the file went bad since start-up
        logger.warning("popularity: the GeoIP lookup failed (%s)", type(error).__name__)
        return ""
    return code or ""


def geoip_problem(path: str) -> str | None:
    """Why GEOIP_PATH cannot be used (for the start-up check), or None when it can."""
    try:
        _reader(path)
    except _BAD_FILE as error:
        return str(error) or type(error).__name__
    return None
