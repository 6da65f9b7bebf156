"""The Redis this kind of machine runs, for the tests that need a real one."""

import os

import pytest
import redis


def redis_required(url: str) -> redis.Redis:
    """A client for `url`. Without a server there the test is skipped on a laptop, but fails
    under CI=true: CI machines run Redis, so a missing one is a broken machine, not a skip."""
    client = redis.Redis.from_url(url, socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.RedisError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is required in CI and unreachable at {url}: {error}")
        pytest.skip(f"no Redis at {url}")
    return client
