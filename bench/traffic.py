"""What the benchmark's clients send: browsers' User-Agents and the wrk scripts around them."""

from __future__ import annotations

import json
from pathlib import Path

LUA = Path(__file__).resolve().parent / "lua"

# Real browsers' User-Agent strings (2024-2025 releases), desktop and mobile: the site
# counts a view only for a client that looks like a reader, never for a crawler or a
# client that sends no agent (popularity/client.py).
BROWSER_AGENTS = [
    # Chrome: Windows, macOS, Linux, Android
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/123.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36",
    # Edge on Windows
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80",
    # Firefox: Windows, macOS, Android
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0",
    # Safari: macOS, iPhone, iPad
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4.1 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Mobile/15E148 Safari/604.1",
]


def lua_table(values) -> str:
    # JSON strings are valid Lua strings for the ASCII these tables hold.
    return "{" + ", ".join(json.dumps(value) for value in values) + "}"


def wrk_script(name: str, *, run: int, limit: int | None = None, **tables) -> str:
    """lua/common.lua and lua/<name>.lua, after the run's number and the tables they read."""
    lines = [f"RUN = {run}", f"AGENTS = {lua_table(BROWSER_AGENTS)}"]
    lines.append(f"LIMIT = {limit if limit else 'nil'}")
    lines += [f"{key} = {lua_table(values)}" for key, values in tables.items()]
    return "\n".join([*lines, (LUA / "common.lua").read_text(), (LUA / f"{name}.lua").read_text()])
