"""The self-hosted typefaces: the committed files are the pinned packages' own, and every
face the stylesheet and the page head name is a file the site serves."""

import hashlib
import re
from pathlib import Path

import pytest

from scripts import vendor_fonts

ROOT = Path(__file__).resolve().parent.parent
SITE_CSS = ROOT / "static" / "css" / "site.css"
BASE_HTML = ROOT / "templates" / "base.html"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("source", "committed"),
    vendor_fonts.sources(),
    ids=[committed.name for _, committed in vendor_fonts.sources()],
)
def test_each_committed_font_file_is_the_pinned_packages_own(source, committed):
    assert committed.exists(), f"{committed.name} is missing: run scripts/vendor_fonts.py"
    if not source.exists():
        pytest.fail(f"{source} is missing: ./scripts/test installs package.json with npm ci")
    assert digest(committed) == digest(source), (
        f"{committed.name} differs from package.json's version: run scripts/vendor_fonts.py"
    )


def test_every_font_the_stylesheet_names_is_served_with_its_licence():
    css = SITE_CSS.read_text()
    urls = re.findall(r"""url\(["']?\.\./fonts/([^"')]+)["']?\)""", css)
    assert len(urls) == 3, urls
    for name in urls:
        assert (ROOT / "static" / "fonts" / name).is_file(), name
    for package in vendor_fonts.FONTS:
        licence = ROOT / "static" / "fonts" / vendor_fonts.licence_name(package)
        assert "SIL Open Font License" in licence.read_text()


def test_every_face_swaps_in_and_the_preloaded_one_is_the_body_face():
    css = SITE_CSS.read_text()
    faces = re.findall(r"@font-face\s*{([^}]*)}", css)
    web_faces = [face for face in faces if "url(" in face]
    assert web_faces and all("font-display: swap" in face for face in web_faces)
    # A face with a metric-matched stand-in for the moment before it arrives.
    for family in {re.search(r'font-family: "([^"]+)"', face)[1] for face in web_faces}:
        assert f'font-family: "{family} Fallback"' in css, family
    preloaded = re.search(
        r"""rel="preload" href="{% static '([^']+)' %}" as="font" """, BASE_HTML.read_text()
    )
    assert preloaded, "the body face is preloaded"
    assert f"../{preloaded[1]}" in css.split("font-style: italic")[0], (
        "the preload is the upright serif"
    )
