"""Cover uploads: refuse anything that is not a plain picture, keep nothing readers must not see.

Every accepted image is decoded and encoded again by Pillow: that turns it the right way up
(EXIF orientation) and leaves its metadata behind (EXIF, GPS, XMP, comments), so a reader
can never learn where or with what a photo was taken. Only the colour profile and
transparency survive. Refusals raise ImageRejected with a message meant for editors.
"""

from __future__ import annotations

import io
import struct
import warnings
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.files.storage import Storage
from django.db import transaction
from django.utils.text import slugify
from PIL import Image, ImageOps, UnidentifiedImageError

# Pillow format name -> (file extension, content type).
ACCEPTED_FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
    "GIF": ("gif", "image/gif"),
}
ACCEPT_ATTRIBUTE = ",".join(content_type for _, content_type in ACCEPTED_FORMATS.values())
ACCEPTED_NAMES = "JPEG, PNG, WebP or GIF"

# Errors Pillow raises for files it starts to read but cannot finish.
_DAMAGED = (OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError)


class ImageRejected(ValueError):
    """An upload that must not be stored; str() is the message shown to the editor."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class CleanImage:
    name: str
    content: bytes
    content_type: str
    width: int
    height: int


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _looks_like_svg(head: bytes, name: str) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return name.lower().endswith((".svg", ".svgz")) or text.startswith(b"<?xml") or b"<svg" in text


def image_check_size(*, size: int) -> None:
    """Refuse an empty file, or one above ARTICLE_IMAGE_MAX_BYTES, from its size alone."""
    max_bytes = settings.ARTICLE_IMAGE_MAX_BYTES
    if not size:
        raise ImageRejected("The file is empty.", "empty")
    if size > max_bytes:
        raise ImageRejected(
            f"The image is {_megabytes(size)}; the limit is {max_bytes / (1024 * 1024):g} MB. "
            "Please upload a smaller version.",
            "too_large",
        )


def image_clean(*, data: bytes, name: str) -> CleanImage:
    """Check an uploaded image and return it re-encoded: oriented, without metadata.

    Raises ImageRejected for a file that is too large, not a JPEG/PNG/WebP/GIF (SVG
    included), damaged, animated, or has more pixels than allowed (decompression bombs are
    refused from their header, before any pixel is decoded).
    """
    max_pixels = settings.ARTICLE_IMAGE_MAX_PIXELS
    image_check_size(size=len(data))
    if _looks_like_svg(data[:512], name):
        raise ImageRejected(
            "SVG images are not accepted because they can carry scripts. "
            f"Please upload a {ACCEPTED_NAMES} image.",
            "svg",
        )
    with warnings.catch_warnings():
        # Pillow only warns up to twice its own limit; treat its warning as a refusal too.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=list(ACCEPTED_FORMATS))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels(None, max_pixels) from None
        except UnidentifiedImageError:
            raise ImageRejected(
                f"This file is not a {ACCEPTED_NAMES} image. Please upload one of those.",
                "format",
            ) from None
        except _DAMAGED:
            raise _damaged() from None
        with image:
            width, height = image.size
            if width * height > max_pixels:
                raise _too_many_pixels((width, height), max_pixels)
            if getattr(image, "n_frames", 1) > 1:
                raise ImageRejected(
                    "Animated images are not accepted. Please upload a still image.", "animated"
                )
            image_format = image.format
            try:
                image.load()
                upright = ImageOps.exif_transpose(image)
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise _too_many_pixels((width, height), max_pixels) from None
            except _DAMAGED:
                raise _damaged() from None
            content = _encode(upright, image_format, source_info=image.info)
    extension, content_type = ACCEPTED_FORMATS[image_format]
    stem = slugify(PurePath(name).stem)[:60] or "cover"
    return CleanImage(
        name=f"{stem}.{extension}",
        content=content,
        content_type=content_type,
        width=upright.width,
        height=upright.height,
    )


def _encode(image: Image.Image, image_format: str, *, source_info: dict) -> bytes:
    # Start from empty metadata: some Pillow encoders copy comments or XMP from image.info.
    image.info = {}
    options: dict = {}
    if icc_profile := source_info.get("icc_profile"):
        options["icc_profile"] = icc_profile
    if image_format in {"PNG", "GIF"} and "transparency" in source_info:
        options["transparency"] = source_info["transparency"]
    if image_format == "JPEG":
        options.update(quality=90, optimize=True)
    elif image_format == "WEBP":
        options.update(quality=90, lossless=bool(source_info.get("lossless")))
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def _too_many_pixels(size: tuple[int, int] | None, max_pixels: int) -> ImageRejected:
    limit = f"the limit is {max_pixels / 1_000_000:g} megapixels"
    if size is None:
        return ImageRejected(
            f"The image has far too many pixels to be opened safely; {limit}.", "too_many_pixels"
        )
    width, height = size
    return ImageRejected(
        f"The image is {width} × {height} pixels ({width * height / 1_000_000:.1f} "
        f"megapixels); {limit}. Please upload a smaller version.",
        "too_many_pixels",
    )


def _damaged() -> ImageRejected:
    return ImageRejected(
        "The image is damaged or incomplete and cannot be read. Please export it again.",
        "damaged",
    )


def file_delete_on_commit(*, storage: Storage, name: str) -> None:
    """Remove a stored file once the transaction that stopped using it has committed.

    On rollback the file is still referenced, so it stays.
    """
    if name:
        transaction.on_commit(lambda: storage.delete(name))
