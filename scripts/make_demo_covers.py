"""Generate calm, abstract cover images for the demo articles in content/demo/.

Each cover is a soft gradient with a few translucent circles and a gentle wave,
blurred a little, in a palette chosen per theme. Output is deterministic: every
cover has its own fixed random seed, so re-running the script gives the same files.

Usage (from the repository root):

    .venv/bin/python scripts/make_demo_covers.py [--out content/demo/covers]
"""

from __future__ import annotations

import argparse
import math
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

WIDTH, HEIGHT = 1600, 900
SCALE = 2  # draw at half size, then upscale: smoother shapes, smaller files
QUALITY = 82

# name -> (seed, top colour, bottom colour, shape colours)
PALETTES: dict[str, tuple[int, tuple, tuple, list[tuple]]] = {
    "breathing": (
        11,
        (196, 226, 236),
        (238, 246, 241),
        [(150, 200, 214), (255, 255, 255), (176, 214, 196)],
    ),
    "sleep": (23, (38, 52, 94), (104, 96, 150), [(190, 186, 230), (240, 226, 190), (80, 90, 150)]),
    "meditation": (
        37,
        (240, 226, 206),
        (214, 228, 214),
        [(232, 196, 160), (186, 210, 186), (255, 246, 232)],
    ),
    "kindness": (
        41,
        (250, 222, 214),
        (252, 242, 226),
        [(240, 176, 170), (255, 214, 176), (255, 250, 244)],
    ),
    "yoga": (
        53,
        (252, 236, 196),
        (236, 214, 186),
        [(244, 196, 120), (226, 170, 130), (255, 248, 228)],
    ),
    "face-twitching": (
        67,
        (212, 230, 242),
        (224, 240, 230),
        [(168, 198, 228), (172, 214, 196), (250, 252, 255)],
    ),
}


def _gradient(size: tuple[int, int], top: tuple, bottom: tuple) -> Image.Image:
    """A vertical two-colour gradient, built from a 1-pixel column and resized."""
    w, h = size
    column = Image.new("RGB", (1, h))
    for y in range(h):
        t = y / (h - 1)
        t = t * t * (3 - 2 * t)  # smoothstep keeps the ends calm
        shade = tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        column.putpixel((0, y), shade)
    return column.resize((w, h))


def _soft_shape(
    base: Image.Image, colour: tuple, opacity: int, blur: float, draw_shape
) -> Image.Image:
    """Blend `colour` into `base` through a blurred mask drawn by `draw_shape`.

    Blurring a mask (not an RGBA layer over transparent black) keeps the edges
    clean, with no dark halo.
    """
    mask = Image.new("L", base.size, 0)
    draw_shape(ImageDraw.Draw(mask), opacity)
    if blur:
        mask = mask.filter(ImageFilter.GaussianBlur(blur))
    return Image.composite(Image.new("RGB", base.size, colour), base, mask)


def make_cover(name: str) -> Image.Image:
    seed, top, bottom, shapes = PALETTES[name]
    rng = random.Random(seed)
    w, h = WIDTH // SCALE, HEIGHT // SCALE
    image = _gradient((w, h), top, bottom)

    # Large, faint circles.
    for _ in range(rng.randint(4, 6)):
        colour = rng.choice(shapes)
        r = rng.randint(h // 6, h // 2)
        cx, cy = rng.randint(0, w), rng.randint(0, h)
        box = (cx - r, cy - r, cx + r, cy + r)
        image = _soft_shape(
            image, colour, rng.randint(50, 100), 18, lambda d, a, box=box: d.ellipse(box, fill=a)
        )

    # Two gentle waves across the lower half.
    for i in range(2):
        colour = shapes[(i + 1) % len(shapes)]
        amplitude = rng.uniform(h * 0.03, h * 0.07)
        wavelength = rng.uniform(w * 0.5, w * 1.1)
        phase = rng.uniform(0, 2 * math.pi)
        baseline = h * (0.62 + 0.13 * i)
        points = [
            (x, baseline + amplitude * math.sin(2 * math.pi * x / wavelength + phase))
            for x in range(0, w + 8, 8)
        ]
        outline = [(0, h), *points, (w, h)]
        image = _soft_shape(
            image, colour, 70 + 30 * i, 6, lambda d, a, pts=outline: d.polygon(pts, fill=a)
        )

    # A few small, bright dots for a little life.
    dots = []
    for _ in range(rng.randint(5, 9)):
        r = rng.randint(4, 14)
        cx, cy = rng.randint(0, w), rng.randint(0, int(h * 0.6))
        dots.append(((cx - r, cy - r, cx + r, cy + r), rng.randint(60, 120)))

    def draw_dots(d, _opacity):
        for box, alpha in dots:
            d.ellipse(box, fill=alpha)

    image = _soft_shape(image, (255, 255, 255), 0, 3, draw_dots)

    return image.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)


def main() -> None:
    default_out = Path(__file__).resolve().parent.parent / "content" / "demo" / "covers"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=default_out, help="folder to write the JPEGs into"
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    total = 0
    for name in PALETTES:
        path = args.out / f"{name}.jpg"
        make_cover(name).save(path, "JPEG", quality=QUALITY, optimize=True, progressive=True)
        size = path.stat().st_size
        total += size
        print(f"{path.name}: {size / 1024:.1f} KB")
    print(f"total: {total / 1024:.1f} KB")


if __name__ == "__main__":
    main()
