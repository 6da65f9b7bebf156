"""The demo's covers look made for the site: crisp scenes, described in their alt text
(scripts/make_demo_covers.py draws them; content/demo/ holds them). That they are distinct
and pleasant is judged by looking: docs/design.md shows them."""

import re
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageFilter, ImageStat

from scripts import make_demo_covers

DEMO = Path(__file__).resolve().parent.parent.parent / "content" / "demo"
COVERS = sorted(make_demo_covers.SCENES)


def front_matter_covers() -> dict[str, str]:
    """cover name -> its cover_alt, over every demo article that has a cover."""
    covers = {}
    for path in DEMO.glob("*.md"):
        text = path.read_text()
        if match := re.search(r"^cover: covers/([\w-]+)\.jpg$", text, re.MULTILINE):
            covers[match[1]] = re.search(r"^cover_alt: (.*)$", text, re.MULTILINE)[1]
    return covers


def thumbnail(image: Image.Image, size=(400, 225)) -> Image.Image:
    return image.convert("RGB").resize(size, Image.Resampling.LANCZOS)


def test_every_cover_is_drawn_and_described_where_it_is_used():
    used = front_matter_covers()
    assert sorted(used) == COVERS
    for name, alt in used.items():
        assert alt == make_demo_covers.ALT[name], f"{name}: the alt text describes the drawing"
        assert (DEMO / "covers" / f"{name}.jpg").is_file()


@pytest.mark.parametrize("name", COVERS)
def test_a_cover_has_clear_shapes_at_card_size(name):
    """At the size a card shows (400 px wide) a reader sees shapes with edges, not a blur
    that reads as an image still loading (the old covers: under 0.2 % edge pixels)."""
    small = thumbnail(Image.open(DEMO / "covers" / f"{name}.jpg")).convert("L")
    edges = small.filter(ImageFilter.FIND_EDGES).crop((4, 4, 396, 221))  # not the frame
    histogram = edges.histogram()
    share = sum(histogram[24:]) / sum(histogram)
    assert share >= 0.005, f"{name}: {share:.2%} of the picture is on a clear edge"


def test_the_committed_cover_is_what_the_script_draws():
    drawn = thumbnail(make_demo_covers.make_cover("meditation"), (160, 90))
    committed = thumbnail(Image.open(DEMO / "covers" / "meditation.jpg"), (160, 90))
    difference = sum(ImageStat.Stat(ImageChops.difference(drawn, committed)).mean) / 3
    assert difference < 2, "run scripts/make_demo_covers.py and commit its covers"
