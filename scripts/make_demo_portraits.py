"""Draw the demo authors' portraits into content/demo/authors/.

A head-and-shoulders portrait for each person of content/demo/authors.yaml: a studio
backdrop with soft out-of-focus light, shoulders in a jacket or jumper, a face with its
own skin tone, hair, eyes, brows, nose and smile, lit from the upper left (soft shading
drawn through blurred masks). Drawn at twice the size and scaled down; deterministic.
The alt text of each is in ALT below and in authors.yaml (tests check they agree).

Usage (from the repository root):

    .venv/bin/python scripts/make_demo_portraits.py [--out content/demo/authors]
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

try:  # run as a script, or imported by the tests as scripts.make_demo_portraits
    from make_demo_covers import RGB, bezier, ellipse, mix
    from make_demo_covers import paint as paint_through
except ImportError:  # pragma: no cover
    from scripts.make_demo_covers import RGB, bezier, ellipse, mix
    from scripts.make_demo_covers import paint as paint_through

SIZE = 800
SUPERSAMPLE = 2
S = SIZE * SUPERSAMPLE
QUALITY = 88


class _Solid:
    """An ImageDraw whose shapes are filled (the mask's white) unless told otherwise."""

    def __init__(self, draw: ImageDraw.ImageDraw):
        self.draw = draw

    def __getattr__(self, name: str):
        method = getattr(self.draw, name)
        return lambda *args, **kwargs: method(*args, **{"fill": 255, **kwargs})


def paint(image: Image.Image, colour: RGB, draw, opacity: int = 255, blur: float = 0):
    """make_demo_covers.paint with solid shapes: `draw` gets a drawer that fills them."""
    return paint_through(image, colour, lambda d: draw(_Solid(d)), opacity=opacity, blur=blur)


@dataclass(frozen=True)
class Sitter:
    backdrop: tuple[RGB, RGB]
    skin: RGB
    hair: RGB
    eyes: RGB
    clothes: RGB
    shirt: RGB
    hair_style: str  # "bob", "short" or "bun"
    glasses: bool = False


SITTERS = {
    "elena-marsh": Sitter(
        backdrop=((214, 226, 222), (150, 172, 166)),
        skin=(236, 196, 170),
        hair=(92, 58, 40),
        eyes=(74, 106, 84),
        clothes=(29, 79, 55),
        shirt=(248, 246, 241),
        hair_style="bob",
        glasses=True,
    ),
    "tom-okafor": Sitter(
        backdrop=((232, 222, 206), (176, 156, 128)),
        skin=(138, 92, 64),
        hair=(34, 28, 26),
        eyes=(58, 40, 30),
        clothes=(60, 72, 96),
        shirt=(227, 238, 231),
        hair_style="short",
    ),
    "maya-chen": Sitter(
        backdrop=((236, 228, 238), (186, 170, 196)),
        skin=(242, 212, 184),
        hair=(30, 26, 28),
        eyes=(52, 38, 30),
        clothes=(176, 72, 26),
        shirt=(251, 228, 160),
        hair_style="bun",
    ),
}

# What each portrait shows, for the people who cannot see it (authors.yaml's photo_alt).
ALT = {
    "elena-marsh": (
        "Illustrated portrait of Dr Elena Marsh smiling, with shoulder-length brown hair and "
        "glasses, in a dark green top over a white collar"
    ),
    "tom-okafor": (
        "Illustrated portrait of Tom Okafor smiling, with short black hair, in a navy top "
        "over a pale green collar"
    ),
    "maya-chen": (
        "Illustrated portrait of Maya Chen smiling, with black hair in a bun, in a "
        "rust-coloured top over a yellow collar"
    ),
}


def backdrop(sitter: Sitter, rng: random.Random) -> Image.Image:
    """A studio backdrop: lighter behind the head, with a few blurred circles of light."""
    top, bottom = sitter.backdrop
    column = Image.new("RGB", (1, S))
    for y in range(S):
        t = y / (S - 1)
        column.putpixel((0, y), mix(top, bottom, t * t * (3 - 2 * t)))
    image = column.resize((S, S))
    image = paint(
        image,
        mix(top, (255, 255, 255), 0.4),
        lambda d: d.ellipse(ellipse(S * 0.42, S * 0.36, S * 0.42)),
        opacity=150,
        blur=S * 0.08,
    )
    for _ in range(7):
        x, y, r = rng.uniform(0, S), rng.uniform(0, S * 0.6), rng.uniform(S * 0.03, S * 0.07)
        image = paint(
            image,
            (255, 255, 255),
            lambda d, x=x, y=y, r=r: d.ellipse(ellipse(x, y, r)),
            opacity=rng.randint(30, 60),
            blur=r * 0.5,
        )
    return image


def shoulders(image: Image.Image, sitter: Sitter) -> Image.Image:
    cx = S / 2
    body = bezier([(S * 0.04, S), (S * 0.08, S * 0.74), (S * 0.28, S * 0.72), (cx, S * 0.71)])
    body += bezier([(cx, S * 0.71), (S * 0.72, S * 0.72), (S * 0.92, S * 0.74), (S * 0.96, S)])
    neck = [
        (cx - S * 0.07, S * 0.58),
        (cx + S * 0.07, S * 0.58),
        (cx + S * 0.08, S * 0.75),
        (cx - S * 0.08, S * 0.75),
    ]
    image = paint(image, mix(sitter.skin, (0, 0, 0), 0.12), lambda d: d.polygon(neck))
    # The shadow the chin casts on the neck.
    image = paint(
        image,
        mix(sitter.skin, (0, 0, 0), 0.3),
        lambda d: d.ellipse(ellipse(cx, S * 0.6, S * 0.075, S * 0.035)),
        opacity=160,
        blur=S * 0.012,
    )
    image = paint(image, sitter.clothes, lambda d: d.polygon(body))
    # The shirt in the opening of the collar, and the lapels' edges.
    opening = [(cx - S * 0.1, S * 0.72), (cx + S * 0.1, S * 0.72), (cx, S * 0.9)]
    image = paint(image, sitter.shirt, lambda d: d.polygon(opening))
    image = paint(
        image,
        mix(sitter.skin, (0, 0, 0), 0.1),
        lambda d: d.polygon([(cx - S * 0.06, S * 0.72), (cx + S * 0.06, S * 0.72), (cx, S * 0.79)]),
    )
    lapel = mix(sitter.clothes, (0, 0, 0), 0.3)
    for side in (-1, 1):
        image = paint(
            image,
            lapel,
            lambda d, side=side: d.line(
                [(cx + side * S * 0.1, S * 0.72), (cx + side * S * 0.015, S * 0.9)],
                width=int(S * 0.008),
            ),
        )
    # Light from the upper left: the right shoulder is in shade.
    return paint(
        image,
        (0, 0, 0),
        lambda d: d.ellipse(ellipse(S * 0.85, S * 0.95, S * 0.3, S * 0.22)),
        opacity=70,
        blur=S * 0.06,
    )


def hair_back(image: Image.Image, sitter: Sitter, cx: float, cy: float) -> Image.Image:
    if sitter.hair_style == "bob":
        return paint(
            image,
            sitter.hair,
            lambda d: d.rounded_rectangle(
                (cx - S * 0.21, cy - S * 0.22, cx + S * 0.21, cy + S * 0.2), radius=S * 0.13
            ),
        )
    if sitter.hair_style == "bun":
        return paint(image, sitter.hair, lambda d: d.ellipse(ellipse(cx, cy - S * 0.25, S * 0.08)))
    return image


def face(image: Image.Image, sitter: Sitter) -> Image.Image:
    cx, cy = S / 2, S * 0.42
    rx, ry = S * 0.155, S * 0.2
    image = hair_back(image, sitter, cx, cy)
    for side in (-1, 1):  # ears
        image = paint(
            image,
            mix(sitter.skin, (0, 0, 0), 0.08),
            lambda d, side=side: d.ellipse(
                ellipse(cx + side * rx * 0.98, cy + S * 0.01, S * 0.03, S * 0.045)
            ),
        )
    image = paint(image, sitter.skin, lambda d: d.ellipse(ellipse(cx, cy, rx, ry)))
    # Shade on the far cheek and under the jaw; a highlight on the near cheek and brow.
    image = paint(
        image,
        mix(sitter.skin, (0, 0, 0), 0.35),
        lambda d: d.ellipse(ellipse(cx + rx * 0.95, cy + ry * 0.1, rx * 0.45, ry * 0.9)),
        opacity=90,
        blur=S * 0.03,
    )
    image = paint(
        image,
        (255, 255, 255),
        lambda d: d.ellipse(ellipse(cx - rx * 0.45, cy - ry * 0.25, rx * 0.3, ry * 0.3)),
        opacity=40,
        blur=S * 0.03,
    )
    # Cheeks.
    for side in (-1, 1):
        image = paint(
            image,
            (214, 110, 100),
            lambda d, side=side: d.ellipse(
                ellipse(cx + side * rx * 0.55, cy + ry * 0.25, rx * 0.2, ry * 0.1)
            ),
            opacity=50,
            blur=S * 0.015,
        )
    image = features(image, sitter, cx, cy, rx, ry)
    return hair_front(image, sitter, cx, cy, rx, ry)


def features(image: Image.Image, sitter: Sitter, cx, cy, rx, ry) -> Image.Image:
    draw = ImageDraw.Draw(image)
    brow = mix(sitter.hair, sitter.skin, 0.25)
    eye_y = cy - ry * 0.05
    for side in (-1, 1):
        ex = cx + side * rx * 0.42
        draw.ellipse(ellipse(ex, eye_y, rx * 0.17, ry * 0.075), fill=(250, 248, 244))
        draw.ellipse(ellipse(ex, eye_y, rx * 0.085), fill=sitter.eyes)
        draw.ellipse(ellipse(ex, eye_y, rx * 0.04), fill=(20, 18, 18))
        draw.ellipse(ellipse(ex - rx * 0.03, eye_y - rx * 0.03, rx * 0.018), fill=(255, 255, 255))
        # The upper lid's line, and the brow above it, a little raised: a friendly look.
        draw.arc(
            ellipse(ex, eye_y + ry * 0.01, rx * 0.18, ry * 0.09),
            195,
            345,
            fill=mix(sitter.skin, (0, 0, 0), 0.55),
            width=int(S * 0.005),
        )
        draw.line(
            bezier(
                [
                    (ex - rx * 0.2, eye_y - ry * 0.17),
                    (ex - rx * 0.05, eye_y - ry * 0.24),
                    (ex + rx * 0.1, eye_y - ry * 0.24),
                    (ex + rx * 0.22, eye_y - ry * 0.18),
                ],
                steps=30,
            ),
            fill=brow,
            width=int(S * 0.011),
            joint="curve",
        )
    # The nose: a shadow down its far side and below its tip.
    shade = mix(sitter.skin, (0, 0, 0), 0.3)
    draw.line(
        bezier(
            [
                (cx + rx * 0.05, eye_y + ry * 0.05),
                (cx + rx * 0.1, cy + ry * 0.2),
                (cx + rx * 0.14, cy + ry * 0.3),
                (cx + rx * 0.02, cy + ry * 0.35),
            ],
            steps=30,
        ),
        fill=shade,
        width=int(S * 0.005),
    )
    draw.arc(
        ellipse(cx, cy + ry * 0.32, rx * 0.14, ry * 0.05), 20, 160, fill=shade, width=int(S * 0.005)
    )
    # A closed-lip smile.
    lips = mix(sitter.skin, (170, 60, 60), 0.45)
    mouth_y = cy + ry * 0.52
    draw.chord(ellipse(cx, mouth_y - ry * 0.06, rx * 0.32, ry * 0.12), 10, 170, fill=lips)
    draw.arc(
        ellipse(cx, mouth_y - ry * 0.06, rx * 0.32, ry * 0.12),
        5,
        175,
        fill=mix(lips, (0, 0, 0), 0.35),
        width=int(S * 0.004),
    )
    if sitter.glasses:
        frame = (60, 48, 40)
        for side in (-1, 1):
            ex = cx + side * rx * 0.42
            draw.rounded_rectangle(
                (ex - rx * 0.3, eye_y - ry * 0.13, ex + rx * 0.3, eye_y + ry * 0.14),
                radius=S * 0.02,
                outline=frame,
                width=int(S * 0.007),
            )
        draw.line(
            [(cx - rx * 0.12, eye_y - ry * 0.03), (cx + rx * 0.12, eye_y - ry * 0.03)],
            fill=frame,
            width=int(S * 0.006),
        )
    return image


def hair_front(image: Image.Image, sitter: Sitter, cx, cy, rx, ry) -> Image.Image:
    top = cy - ry
    if sitter.hair_style == "short":
        cap = bezier(
            [
                (cx - rx * 1.04, cy - ry * 0.2),
                (cx - rx * 1.1, top - ry * 0.25),
                (cx + rx * 1.1, top - ry * 0.25),
                (cx + rx * 1.04, cy - ry * 0.2),
            ]
        )
        cap += bezier(
            [
                (cx + rx * 1.04, cy - ry * 0.2),
                (cx + rx * 0.7, top + ry * 0.15),
                (cx - rx * 0.7, top + ry * 0.15),
                (cx - rx * 1.04, cy - ry * 0.2),
            ]
        )
    else:
        # Parted on one side, sweeping across the forehead.
        cap = bezier(
            [
                (cx - rx * 1.08, cy + ry * 0.05),
                (cx - rx * 1.15, top - ry * 0.3),
                (cx + rx * 1.15, top - ry * 0.3),
                (cx + rx * 1.08, cy + ry * 0.05),
            ]
        )
        cap += bezier(
            [
                (cx + rx * 1.08, cy + ry * 0.05),
                (cx + rx * 0.9, top + ry * 0.3),
                (cx + rx * 0.2, top + ry * 0.05),
                (cx - rx * 0.35, top + ry * 0.38),
            ]
        )
        cap += bezier(
            [
                (cx - rx * 0.35, top + ry * 0.38),
                (cx - rx * 0.8, top + ry * 0.35),
                (cx - rx * 0.95, cy - ry * 0.2),
                (cx - rx * 1.08, cy + ry * 0.05),
            ]
        )
    image = paint(image, sitter.hair, lambda d: d.polygon(cap))
    # A sheen where the light falls on the hair.
    return paint(
        image,
        mix(sitter.hair, (255, 255, 255), 0.35),
        lambda d: d.arc(
            ellipse(cx - rx * 0.1, top + ry * 0.45, rx * 0.75, ry * 0.4),
            205,
            250,
            width=int(S * 0.012),
        ),
        opacity=120,
        blur=S * 0.004,
    )


def make_portrait(slug: str) -> Image.Image:
    sitter = SITTERS[slug]
    rng = random.Random(f"happy-inner-self/portrait/{slug}")
    image = shoulders(backdrop(sitter, rng), sitter)
    image = face(image, sitter)
    image = image.filter(ImageFilter.GaussianBlur(S * 0.0008))  # a lens, not a vector
    return image.resize((SIZE, SIZE), Image.Resampling.LANCZOS)


def main() -> None:
    default_out = Path(__file__).resolve().parent.parent / "content" / "demo" / "authors"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=default_out, help="folder for the JPEGs")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for slug in SITTERS:
        path = args.out / f"{slug}.jpg"
        make_portrait(slug).save(path, "JPEG", quality=QUALITY, optimize=True, progressive=True)
        print(f"{path.name}: {path.stat().st_size / 1024:.1f} KB")


if __name__ == "__main__":
    main()
