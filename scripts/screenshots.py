"""Take the documentation's screenshots: the README's (the home page and the site owners'
statistics dashboard) and docs/design.md's (home, an article and a topic at 375 and 1,280 px,
light and dark, so a change to the design is judged by looking).

Starts the demo site exactly as a newcomer would (`./scripts/run`: migrate, demo articles,
60 days of demo views, the demo accounts, runserver) on a free local port, drives Debian's
chromium through Playwright (never a downloaded browser), saves the PNG files and stops
the site again. Each picture is taken once the page's fonts and images have loaded.

Usage (from the repository root; DATABASE_URL as for ./scripts/run, or unset for the
embedded PostgreSQL):

    .venv/bin/python scripts/screenshots.py [--out docs/images]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--no-first-run"]
# The demo account that ./scripts/run creates (manage.py setup_roles --demo-users).
OWNER = ("owner", "owner-demo-password")
VIEWPORT = {"width": 1280, "height": 860}
# docs/design.md: what a reader sees first on each page type, and where an article ends.
DESIGN_PAGES = {
    "home": ("/", None),
    "article": ("/articles/face-twitching-mystery/", None),
    "article-end": ("/articles/face-twitching-mystery/", ".article__footer"),
    "topic": ("/tags/stress/", None),
}
DESIGN_VIEWS = [(375, 812), (1280, 860)]  # a common phone, and the README's desktop
SCHEMES = ["light", "dark"]
# Evaluated through the DevTools protocol, so the site's CSP does not stand in the way.
LOADED = """async () => {
  for (const image of document.querySelectorAll("img[loading=lazy]")) image.loading = "eager";
  await Promise.all([...document.images].map(image => image.decode().catch(() => null)));
  await document.fonts.ready;
}"""
STARTUP_SECONDS = 600  # a first run installs the requirements before it serves anything


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(url: str, site: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if site.poll() is not None:
            sys.exit(f"./scripts/run stopped with exit code {site.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    sys.exit(f"the demo site did not answer at {url} within {STARTUP_SECONDS} s")


def settle(page, scroll_to: str | None = None) -> None:
    """Wait for the page's images and fonts; scroll `scroll_to` to the top if given."""
    page.evaluate(LOADED)
    if scroll_to:
        page.locator(scroll_to).evaluate("element => element.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(150)  # a frame or two for the last paint


def take_readme_screenshots(browser, url: str, out: Path, admin_url: str) -> list[Path]:
    home, dashboard = out / "home.png", out / "dashboard.png"
    context = browser.new_context(viewport=VIEWPORT, base_url=url, color_scheme="light")
    page = context.new_page()
    page.goto("/")
    settle(page)
    page.screenshot(path=home)
    page.goto(f"/{admin_url}login/?next=/{admin_url}statistics/")
    page.fill("#id_username", OWNER[0])
    page.fill("#id_password", OWNER[1])
    page.click("input[type=submit]")
    page.wait_for_url(f"**/{admin_url}statistics/")
    page.screenshot(path=dashboard)
    context.close()
    return [home, dashboard]


def take_design_screenshots(browser, url: str, out: Path) -> list[Path]:
    """docs/design.md's pictures: out/design/<page>-<width>-<scheme>.png."""
    folder = out / "design"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for width, height in DESIGN_VIEWS:
        for scheme in SCHEMES:
            context = browser.new_context(
                viewport={"width": width, "height": height},
                base_url=url,
                color_scheme=scheme,
                reduced_motion="reduce",  # no smooth scrolling half-way through a picture
            )
            page = context.new_page()
            for name, (path, scroll_to) in DESIGN_PAGES.items():
                page.goto(path)
                settle(page, scroll_to)
                paths.append(folder / f"{name}-{width}-{scheme}.png")
                page.screenshot(path=paths[-1])
            context.close()
    return paths


def take_screenshots(url: str, out: Path, admin_url: str) -> list[Path]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        paths = take_readme_screenshots(browser, url, out, admin_url)
        paths += take_design_screenshots(browser, url, out)
        browser.close()
    return paths


def stop(site: subprocess.Popen) -> None:
    os.killpg(site.pid, signal.SIGINT)
    try:
        site.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(site.pid, signal.SIGKILL)
        site.wait()


@contextmanager
def demo_site() -> Iterator[str]:
    """The demo site started with ./scripts/run on a free local port: its address."""
    address = f"127.0.0.1:{free_port()}"
    # Its own process group, so stopping it reaches runserver's reloader child too.
    site = subprocess.Popen(
        [str(ROOT / "scripts" / "run")],
        cwd=ROOT,
        env={**os.environ, "PORT": address},
        start_new_session=True,
    )
    try:
        wait_until_serving(f"http://{address}", site)
        yield f"http://{address}"
    finally:
        # Ctrl-C, as a person would stop ./scripts/run; its trap stops a database it started.
        if site.poll() is None:  # not when it stopped by itself
            stop(site)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit("Debian's chromium is missing: apt-get install chromium")
    args.out.mkdir(parents=True, exist_ok=True)
    admin_url = os.environ.get("ADMIN_URL", "admin/").strip("/") + "/"

    with demo_site() as url:
        for path in take_screenshots(url, args.out, admin_url):
            print(f"» {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


if __name__ == "__main__":
    main()
