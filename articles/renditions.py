"""Cover renditions: resized copies (JPEG, or PNG when transparent, plus WebP) made once.

They are made with Pillow when an article's cover changes, whoever changes it (the
importer, the admin, a script: Article.save() calls `cover_renditions_refresh`), and stored
next to the cover. The article records them in `cover_renditions`:

    {"source": "covers/2026/11/sleep.jpg", "fallback_type": "image/jpeg",
     "fallback": [{"width": 400, "height": 225, "name": "covers/2026/11/renditions/..."}, ...],
     "webp": [...],
     "crops": [{"ratio": "16:9", "width": 1200, "height": 675, "name": "..."}, ...]}

The crops (1:1, 4:3 and 16:9, in the fallback format) are what search engines may show
beside a result (the JSON-LD `image`); each is cut around the picture's focal point.

A record whose "source" is not the current cover is stale and is remade on the next save.
Pages never open image files: they read this record (and check that one file exists, so
a lost file degrades to no image instead of a broken one).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from functools import partial
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

# Card thumbnails at 1x and 2x, the article column at 1x and 2x, and a share image.
WIDTHS = (400, 800, 1200, 1600)
JPEG_QUALITY = 82
WEBP_QUALITY = 80
OG_WIDTH = 1200

_READ_ERRORS = (
    FileNotFoundError,
    OSError,
    UnidentifiedImageError,
    Image.DecompressionBombError,
    SyntaxError,
    ValueError,
)


#: The shapes search engines ask for (Google: 16x9, 4x3 and 1x1, at least 50,000 pixels).
CROP_RATIOS = ((16, 9), (4, 3), (1, 1))
CROP_WIDTH = 1200


def _target_widths(width: int) -> list[int]:
    """The standard widths below the original, then the original itself (never upscaled),
    each once: an original of 1,600 px or more ends at 1,600."""
    largest = min(width, WIDTHS[-1])
    return [*(w for w in WIDTHS if w < largest), largest]


def focal_point(image: Image.Image) -> tuple[float, float]:
    """Where the picture's detail is, as fractions of its width and height: the centre of
    its edges' weight on a small grey copy (an even picture gives the middle)."""
    small = image.convert("L")
    small.thumbnail((64, 64))
    edges = small.filter(ImageFilter.FIND_EDGES)
    width, height = edges.size
    weights = edges.tobytes()  # one byte a pixel (mode L)
    # The filter's one-pixel frame is noise, not detail.
    inner = [
        (x, y, w)
        for i, w in enumerate(weights)
        if w and 0 < (x := i % width) < width - 1 and 0 < (y := i // width) < height - 1
    ]
    total = sum(w for _, _, w in inner)
    if not total:
        return 0.5, 0.5
    return (
        (sum(x * w for x, _, w in inner) / total + 0.5) / width,
        (sum(y * w for _, y, w in inner) / total + 0.5) / height,
    )


def _crops(image: Image.Image) -> list[tuple[str, Image.Image]]:
    """The image cut to each of CROP_RATIOS around its focal point, at most CROP_WIDTH wide."""
    centre = focal_point(image)
    made = []
    for across, down in CROP_RATIOS:
        # The largest box of this shape inside the picture, never upscaled.
        width = min(image.width, image.height * across // down, CROP_WIDTH)
        height = max(1, width * down // across)
        cropped = ImageOps.fit(image, (width, height), Image.Resampling.LANCZOS, centering=centre)
        made.append((f"{across}:{down}", cropped))
    return made


def _encode(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    if fmt == "JPEG":
        image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    elif fmt == "WEBP":
        image.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
    else:
        image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def renditions_make(*, name: str, storage: Storage) -> dict:
    """Make and store every rendition of the image `name`; {} when it cannot be read."""
    try:
        with storage.open(name, "rb") as fh, Image.open(fh) as opened:
            opened.load()
            image = ImageOps.exif_transpose(opened)
    except _READ_ERRORS as error:
        logger.warning("cover %s: no renditions made (%s)", name, error)
        return {}

    has_alpha = image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info
    image = image.convert("RGBA" if has_alpha else "RGB")
    fallback_format, fallback_ext = ("PNG", "png") if has_alpha else ("JPEG", "jpg")
    path = PurePosixPath(name)
    folder = path.parent / "renditions"
    record: dict = {
        "source": name,
        "fallback_type": f"image/{fallback_format.lower()}",
        "fallback": [],
        "webp": [],
        "crops": [],
    }
    for width in _target_widths(image.width):
        height = max(1, round(image.height * width / image.width))
        resized = (
            image
            if width == image.width
            else image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        )
        for key, fmt, ext in (
            ("fallback", fallback_format, fallback_ext),
            ("webp", "WEBP", "webp"),
        ):
            stored = storage.save(
                str(folder / f"{path.stem}-{width}.{ext}"), ContentFile(_encode(resized, fmt))
            )
            record[key].append({"width": width, "height": height, "name": stored})
    made = {(item["width"], item["height"]): item["name"] for item in record["fallback"]}
    for ratio, cropped in _crops(image):
        if (cropped.width, cropped.height) in made:
            # The cover already has this shape (a 16:9 cover's 1200 px copy): no second file.
            name = made[(cropped.width, cropped.height)]
            record["crops"].append(
                {"ratio": ratio, "width": cropped.width, "height": cropped.height, "name": name}
            )
            continue
        stored = storage.save(
            str(folder / f"{path.stem}-{ratio.replace(':', 'x')}.{fallback_ext}"),
            ContentFile(_encode(cropped, fallback_format)),
        )
        record["crops"].append(
            {"ratio": ratio, "width": cropped.width, "height": cropped.height, "name": stored}
        )
    return record


def rendition_names(record: dict) -> list[str]:
    # A crop may be one of the resized copies (the same file): each name once.
    keys = ("fallback", "webp", "crops")
    return list(dict.fromkeys(item["name"] for key in keys for item in record.get(key, [])))


def renditions_delete(*, names: list[str], storage: Storage) -> None:
    for name in names:
        try:
            storage.delete(name)
        except OSError as error:  # a file already gone is what we wanted anyway
            logger.warning("rendition %s not deleted (%s)", name, error)


def record_is_stale(*, image, record: dict | None) -> bool:
    """True when `record` is not of the current `image`, or predates the crops."""
    record = record or {}
    name = image.name or ""
    return name != record.get("source", "") or bool(name and "crops" not in record)


def renditions_are_stale(article) -> bool:
    """True when the cover's record is not of the current cover, or predates the crops."""
    return record_is_stale(image=article.cover, record=article.cover_renditions)


def renditions_refresh(*, image, record: dict | None) -> dict:
    """The renditions record for the current `image` (an ImageField's file), made anew.

    The old renditions are deleted only once the caller's transaction commits, so a
    rolled-back save never leaves a row pointing at deleted files.
    """
    old = record or {}
    if image and not image._committed:
        # A fresh upload: store it first (as the field would on save) so Pillow reads the
        # stored file, not a half-read upload stream.
        image.save(image.name, image.file, save=False)
    new = renditions_make(name=image.name, storage=image.storage) if image else {}
    # A remade file can take its predecessor's (lost) name: never delete what is in use.
    unused = sorted(set(rendition_names(old)) - set(rendition_names(new)))
    if unused:
        transaction.on_commit(partial(renditions_delete, names=unused, storage=image.storage))
    return new


def cover_renditions_refresh(*, article) -> None:
    """Remake the renditions for the article's current cover (the caller saves the article)."""
    article.cover_renditions = renditions_refresh(
        image=article.cover, record=article.cover_renditions
    )


# ---------------------------------------------------------------------------
# Reading the record for templates.


@dataclass(frozen=True)
class Picture:
    src: str
    width: int
    height: int
    srcset: str
    webp_srcset: str
    fallback_type: str


def share_crops(article) -> list[tuple[str, int, int]]:
    """(url, width, height) of the cover cut to 16:9, 4:3 and 1:1, for structured data;
    [] when the cover cannot be shown."""
    if cover_picture(article) is None:
        return []
    storage = article.cover.storage
    return [
        (storage.url(item["name"]), item["width"], item["height"])
        for item in (article.cover_renditions or {}).get("crops", [])
    ]


def _srcset(storage: Storage, items: list[dict]) -> str:
    return ", ".join(f"{storage.url(item['name'])} {item['width']}w" for item in items)


def cover_picture(article) -> Picture | None:
    """What a template needs for <picture>, or None when there is no usable image file."""
    return picture_of(
        image=article.cover,
        alt=article.cover_alt,
        record=article.cover_renditions,
        width=article.cover_width,
        height=article.cover_height,
    )


def photo_picture(profile) -> Picture | None:
    """An author's photo for <picture>, as cover_picture does for covers."""
    return picture_of(
        image=profile.photo,
        alt=profile.photo_alt,
        record=profile.photo_renditions,
        width=profile.photo_width,
        height=profile.photo_height,
    )


def photo_square_url(profile) -> str:
    """The photo cut square (its 1:1 crop) for structured data; "" when it cannot be shown."""
    if photo_picture(profile) is None:
        return ""
    crops = (profile.photo_renditions or {}).get("crops", [])
    square = next((item for item in crops if item["ratio"] == "1:1"), None)
    return profile.photo.storage.url(square["name"]) if square else profile.photo.url


def picture_of(*, image, alt: str, record: dict | None, width, height) -> Picture | None:
    """<picture> data for an ImageField's file and its renditions record; None when there
    is no alt text or no usable image file."""
    if not image or not alt:
        return None
    storage = image.storage
    record = record or {}
    fallback = record.get("fallback") if record.get("source") == image.name else None
    try:
        if fallback:
            largest = fallback[-1]
            if not storage.exists(largest["name"]):
                return None
            return Picture(
                src=storage.url(largest["name"]),
                width=largest["width"],
                height=largest["height"],
                srcset=_srcset(storage, fallback),
                webp_srcset=_srcset(storage, record.get("webp", [])),
                fallback_type=record.get("fallback_type", "image/jpeg"),
            )
        # No renditions (not made yet, or the source could not be read when saved):
        # the original, if it is there and its size is known.
        if not (width and height and storage.exists(image.name)):
            return None
    except OSError:
        return None
    return Picture(
        src=image.url, width=width, height=height, srcset="", webp_srcset="", fallback_type=""
    )


def share_image(article) -> tuple[str, int, int] | None:
    """(url, width, height) of the fallback rendition nearest OG_WIDTH, for social cards."""
    picture = cover_picture(article)
    if picture is None:
        return None
    record = article.cover_renditions or {}
    items = record.get("fallback") or []
    if items:
        best = min(items, key=lambda item: abs(item["width"] - OG_WIDTH))
        return article.cover.storage.url(best["name"]), best["width"], best["height"]
    return picture.src, picture.width, picture.height
