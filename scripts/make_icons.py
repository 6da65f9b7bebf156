"""Make the raster icons from static/favicon.svg: static/favicon.ico and static/logo.png.

Browsers and feed readers still ask for /favicon.ico, and search engines want a raster
publisher logo with a known size (the article pages' JSON-LD names it). Both are drawn
from the one SVG by Debian's chromium through Playwright (never a downloaded browser),
then written with Pillow. The files are committed; run this again after changing the SVG:

    .venv/bin/python scripts/make_icons.py
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "static" / "favicon.svg"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--no-first-run"]
#: The publisher logo (square, as the favicon is): search engines ask for 112 px or more.
LOGO_SIZE = 512
ICO_SIZES = [(16, 16), (32, 32), (48, 48)]


def render(svg: str, size: int) -> Image.Image:
    from playwright.sync_api import sync_playwright

    page_html = (
        "<!doctype html><html><body style='margin:0;background:transparent'>"
        f"<div style='width:{size}px;height:{size}px'>{svg}</div></body></html>"
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": size, "height": size})
        page.set_content(page_html.replace("<svg ", f"<svg width='{size}' height='{size}' ", 1))
        png = page.screenshot(omit_background=True)
        browser.close()
    return Image.open(io.BytesIO(png)).convert("RGBA")


def main() -> None:
    large = render(SVG.read_text(encoding="utf-8"), LOGO_SIZE)
    large.save(ROOT / "static" / "logo.png", optimize=True)
    large.save(ROOT / "static" / "favicon.ico", sizes=ICO_SIZES)
    print(f"static/logo.png ({LOGO_SIZE}×{LOGO_SIZE}) and static/favicon.ico {ICO_SIZES}")


if __name__ == "__main__":
    main()
