"""Draw the demo articles' cover illustrations into content/demo/covers/.

One small scene per topic, each with one focal point a third of the way in (a moon, a sun,
a cairn, a ripple, a bud, a swelling breath) and colours from the site's own palette
(static/css/site.css: paper, sage, forest green, the highlight yellow, the focus
terracotta), so the covers look like one series made for the site. The alt text of each
is in ALT below and in the article's front matter (tests check they agree).

Shapes are drawn at twice the size and scaled down, which smooths their edges. Output is
deterministic: each scene has its own fixed random seed.

Usage (from the repository root):

    .venv/bin/python scripts/make_demo_covers.py [--out content/demo/covers]
"""

from __future__ import annotations

import argparse
import math
import random
from collections.abc import Callable, Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

WIDTH, HEIGHT = 1600, 900
SUPERSAMPLE = 2
QUALITY = 84
W, H = WIDTH * SUPERSAMPLE, HEIGHT * SUPERSAMPLE

RGB = tuple[int, int, int]
Point = tuple[float, float]

# The site's palette (light scheme), and a few tints mixed from it.
PAPER: RGB = (248, 246, 241)
SURFACE: RGB = (255, 254, 251)
LINE: RGB = (227, 222, 211)
SAGE: RGB = (227, 238, 231)
MINT: RGB = (143, 208, 172)
GREEN: RGB = (43, 105, 76)
FOREST: RGB = (29, 79, 55)
INK: RGB = (28, 36, 32)
NIGHT: RGB = (19, 24, 22)
YELLOW: RGB = (251, 228, 160)
TERRACOTTA: RGB = (176, 72, 26)
MUTED: RGB = (86, 97, 91)

# What each cover shows, for the people who cannot see it (the front matter's cover_alt).
ALT = {
    "sleep": (
        "A crescent moon and scattered stars over dark, rolling hills in a deep green-blue "
        "night sky"
    ),
    "breathing": (
        "Fine green lines across a pale sage background, swelling around a soft yellow "
        "circle like a slow breath"
    ),
    "meditation": (
        "Four smooth stones balanced in a small cairn on warm sand, in front of a pale yellow sun"
    ),
    "kindness": (
        "A slender green sprig with leaves of several greens and one terracotta bud, on "
        "a warm cream background"
    ),
    "yoga": (
        "A large pale-orange sun rising behind layered green hills, under a soft yellow morning sky"
    ),
    "face-twitching": (
        "Still green water with one small drop and its rings of ripples spreading out, "
        "below a pale sky and a distant shore"
    ),
}


def mix(a: RGB, b: RGB, t: float) -> RGB:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def gradient(top: RGB, bottom: RGB, height: int = H) -> Image.Image:
    """A vertical gradient, eased at both ends, built from one column and stretched."""
    column = Image.new("RGB", (1, height))
    for y in range(height):
        t = y / (height - 1)
        column.putpixel((0, y), mix(top, bottom, t * t * (3 - 2 * t)))
    return column.resize((W, height))


def paint(
    image: Image.Image,
    colour: RGB,
    draw: Callable[[ImageDraw.ImageDraw], None],
    opacity: int = 255,
    blur: float = 0,
) -> Image.Image:
    """Blend `colour` into `image` at `opacity` through a mask that `draw` paints in white."""
    mask = Image.new("L", image.size, 0)
    draw(ImageDraw.Draw(mask))
    if opacity < 255:
        mask = mask.point(lambda value: value * opacity // 255)
    if blur:
        mask = mask.filter(ImageFilter.GaussianBlur(blur))
    return Image.composite(Image.new("RGB", image.size, colour), image, mask)


def ellipse(cx: float, cy: float, rx: float, ry: float | None = None):
    ry = rx if ry is None else ry
    return (cx - rx, cy - ry, cx + rx, cy + ry)


def hills(rng: random.Random, baseline: float, amplitude: float, waves: int = 2) -> list[Point]:
    """The outline of a soft ridge across the picture, closed along the bottom edge."""
    parts = [(rng.uniform(0.6, 1.6) * waves, rng.uniform(0, 2 * math.pi)) for _ in range(2)]
    points = [
        (x, baseline - amplitude * sum(math.sin(x / W * f * math.pi + p) for f, p in parts) / 2)
        for x in range(0, W + 16, 16)
    ]
    return [(0, H), *points, (W, H)]


def leaf(base: Point, angle: float, length: float, width: float) -> list[Point]:
    """A pointed leaf from `base` along `angle` (radians)."""
    bx, by = base
    ca, sa = math.cos(angle), math.sin(angle)
    side_one, side_two = [], []
    for i in range(25):
        t = i / 24
        half = width / 2 * math.sin(math.pi * t) ** 0.8
        ax, ay = bx + ca * length * t, by + sa * length * t
        side_one.append((ax - sa * half, ay + ca * half))
        side_two.append((ax + sa * half, ay - ca * half))
    return side_one + side_two[::-1]


def bezier(points: Sequence[Point], steps: int = 80) -> list[Point]:
    """Points along a cubic Bézier curve."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = points
    curve = []
    for i in range(steps + 1):
        t = i / steps
        u = 1 - t
        curve.append(
            (
                u**3 * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t**3 * x3,
                u**3 * y0 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t**3 * y3,
            )
        )
    return curve


# ---- The scenes ------------------------------------------------------------------------


def night_sky(rng: random.Random) -> Image.Image:
    image = gradient(mix(NIGHT, (24, 44, 70), 0.8), mix(FOREST, (40, 70, 90), 0.5))
    stars = [
        (rng.uniform(0, W), rng.uniform(0, H * 0.62) ** 1.0, rng.uniform(1.5, 4.5))
        for _ in range(140)
    ]
    image = paint(
        image, SURFACE, lambda d: [d.ellipse(ellipse(x, y, r), fill=255) for x, y, r in stars], 170
    )
    moon = (W * 0.7, H * 0.3)
    image = paint(
        image, YELLOW, lambda d: d.ellipse(ellipse(*moon, H * 0.2), fill=255), 50, blur=H * 0.06
    )

    def crescent(d: ImageDraw.ImageDraw) -> None:
        d.ellipse(ellipse(*moon, H * 0.1), fill=255)
        d.ellipse(ellipse(moon[0] + H * 0.045, moon[1] - H * 0.03, H * 0.095), fill=0)

    image = paint(image, YELLOW, crescent)
    for baseline, amplitude, colour in ((0.72, 0.06, (30, 58, 56)), (0.84, 0.05, (18, 36, 32))):
        outline = hills(rng, H * baseline, H * amplitude)
        image = paint(image, colour, lambda d, o=outline: d.polygon(o, fill=255))
    return image


def breath_lines(rng: random.Random) -> Image.Image:
    image = gradient(SAGE, PAPER)
    focus = (W * 0.36, H * 0.5)
    image = paint(
        image, YELLOW, lambda d: d.ellipse(ellipse(*focus, H * 0.17), fill=255), 230, blur=H * 0.01
    )
    count = 17
    for i in range(count):
        offset = (i - (count - 1) / 2) / ((count - 1) / 2)  # -1 (top) .. 1 (bottom)
        y0 = focus[1] + offset * H * 0.42
        swell = H * 0.13 * math.copysign(1, offset) * (1 - abs(offset) * 0.55) if offset else 0
        points = [
            (
                x,
                y0
                + swell * math.exp(-(((x - focus[0]) / (W * 0.17)) ** 2))
                + H * 0.008 * math.sin(x / W * 7 + i),
            )
            for x in range(-20, W + 20, 12)
        ]
        colour = mix(GREEN, MINT, abs(offset) * 0.7)
        image = paint(
            image, colour, lambda d, p=points: d.line(p, fill=255, width=5, joint="curve"), 220
        )
    return image


def cairn(rng: random.Random) -> Image.Image:
    image = gradient(mix(PAPER, YELLOW, 0.35), PAPER)
    image = paint(
        image, YELLOW, lambda d: d.ellipse(ellipse(W * 0.66, H * 0.34, H * 0.24), fill=255), 200
    )
    ground = H * 0.8
    image = paint(image, LINE, lambda d: d.rectangle((0, ground, W, H), fill=255))
    x = W * 0.64
    image = paint(
        image,
        MUTED,
        lambda d: d.ellipse(ellipse(x, ground + H * 0.01, W * 0.13, H * 0.025), fill=255),
        90,
        blur=12,
    )
    stones = [
        (0.115, 0.07, MUTED),
        (0.085, 0.06, mix(MUTED, PAPER, 0.3)),
        (0.065, 0.05, GREEN),
        (0.04, 0.04, mix(GREEN, MINT, 0.5)),
    ]
    y = ground
    for rx, ry, colour in stones:
        cx = x + rng.uniform(-0.01, 0.01) * W
        y -= ry * H
        box = ellipse(cx, y, rx * W * 0.56, ry * H)
        image = paint(image, colour, lambda d, b=box: d.ellipse(b, fill=255))
        y -= ry * H * 0.92
    return image


def sprig(rng: random.Random) -> Image.Image:
    image = gradient(mix(PAPER, (250, 222, 206), 0.6), PAPER)
    stem = bezier(
        [(W * 0.2, H * 1.05), (W * 0.3, H * 0.55), (W * 0.48, H * 0.3), (W * 0.64, H * 0.26)]
    )
    image = paint(image, FOREST, lambda d: d.line(stem, fill=255, width=9, joint="curve"))
    greens = [GREEN, MINT, FOREST, mix(GREEN, MINT, 0.5)]
    for n, i in enumerate(range(12, 76, 8)):
        (x0, y0), (x1, y1) = stem[i], stem[i + 1]
        heading = math.atan2(y1 - y0, x1 - x0)
        side = 1 if n % 2 else -1
        angle = heading + side * rng.uniform(0.7, 1.0)
        size = H * (0.2 - 0.012 * n)
        shape = leaf(stem[i], angle, size, size * 0.42)
        image = paint(image, greens[n % len(greens)], lambda d, s=shape: d.polygon(s, fill=255))
    tip = stem[-1]
    image = paint(image, TERRACOTTA, lambda d: d.ellipse(ellipse(*tip, H * 0.035), fill=255))
    image = paint(
        image, TERRACOTTA, lambda d: d.ellipse(ellipse(*tip, H * 0.09), fill=255), 40, blur=H * 0.03
    )
    return image


def sunrise(rng: random.Random) -> Image.Image:
    image = gradient(mix(YELLOW, SURFACE, 0.25), mix(YELLOW, (244, 190, 140), 0.6))
    sun = (W * 0.36, H * 0.62)
    image = paint(
        image, SURFACE, lambda d: d.ellipse(ellipse(*sun, H * 0.36), fill=255), 120, blur=H * 0.05
    )
    image = paint(image, (240, 150, 90), lambda d: d.ellipse(ellipse(*sun, H * 0.22), fill=255))
    layers = (
        (0.62, 0.07, mix(MINT, PAPER, 0.35)),
        (0.72, 0.06, MINT),
        (0.82, 0.05, GREEN),
        (0.92, 0.04, FOREST),
    )
    for baseline, amplitude, colour in layers:
        outline = hills(rng, H * baseline, H * amplitude)
        image = paint(image, colour, lambda d, o=outline: d.polygon(o, fill=255))
    return image


def calm_water(rng: random.Random) -> Image.Image:
    horizon = int(H * 0.42)
    image = gradient(SURFACE, SAGE)
    water = gradient(mix(MINT, SAGE, 0.4), GREEN, H - horizon)
    image.paste(water, (0, horizon))
    shore = [
        (0, horizon),
        *[(x, horizon - H * (0.05 + 0.03 * math.sin(x / W * 5 + 1))) for x in range(0, W + 16, 16)],
        (W, horizon),
    ]
    image = paint(image, mix(GREEN, SAGE, 0.55), lambda d: d.polygon(shore, fill=255))
    centre = (W * 0.62, H * 0.7)
    for ring in range(1, 7):
        rx = W * 0.045 * ring**1.25
        box = ellipse(*centre, rx, rx * 0.22)
        opacity = round(200 * (1 - ring / 7.5))
        image = paint(image, SURFACE, lambda d, b=box: d.ellipse(b, outline=255, width=6), opacity)
    image = paint(image, SURFACE, lambda d: d.ellipse(ellipse(*centre, H * 0.014), fill=255))
    # A few long, faint glints on the water, as the light catches it.
    for _ in range(9):
        y = rng.uniform(horizon + H * 0.05, H * 0.97)
        x = rng.uniform(0, W * 0.9)
        length = rng.uniform(W * 0.05, W * 0.16)
        image = paint(
            image,
            SURFACE,
            lambda d, x=x, y=y, n=length: d.line([(x, y), (x + n, y)], fill=255, width=4),
            70,
        )
    return image


SCENES: dict[str, Callable[[random.Random], Image.Image]] = {
    "sleep": night_sky,
    "breathing": breath_lines,
    "meditation": cairn,
    "kindness": sprig,
    "yoga": sunrise,
    "face-twitching": calm_water,
}


def make_cover(name: str) -> Image.Image:
    rng = random.Random(f"happy-inner-self/{name}")
    return SCENES[name](rng).resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)


def main() -> None:
    default_out = Path(__file__).resolve().parent.parent / "content" / "demo" / "covers"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=default_out, help="folder to write the JPEGs into"
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    total = 0
    for name in SCENES:
        path = args.out / f"{name}.jpg"
        make_cover(name).save(path, "JPEG", quality=QUALITY, optimize=True, progressive=True)
        size = path.stat().st_size
        total += size
        print(f"{path.name}: {size / 1024:.1f} KB")
    print(f"total: {total / 1024:.1f} KB")


if __name__ == "__main__":
    main()
