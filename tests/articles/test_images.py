import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, ImageCms

from articles.images import ImageRejected, image_clean
from articles.models import Article
from tests import pictures
from tests.articles.admin_data import ADD_URL, article_data


def test_phone_photo_comes_out_upright_without_location_or_camera_data():
    cleaned = image_clean(data=pictures.jpeg_from_phone(40, 20), name="IMG 0042.JPG")
    stored = Image.open(io.BytesIO(cleaned.content))
    assert stored.format == "JPEG" and cleaned.name == "img-0042.jpg"
    # Stored sideways as 40×20 with "rotate 90° clockwise": upright it is 20 wide, 40 tall,
    # and what was the left (blue) half is now on top.
    assert stored.size == (20, 40) == (cleaned.width, cleaned.height)
    top, bottom = stored.convert("RGB").getpixel((10, 5)), stored.convert("RGB").getpixel((10, 35))
    assert top[2] > 200 > top[0] and bottom[0] > 200 > bottom[2]
    assert len(stored.getexif()) == 0
    assert not {"exif", "comment", "xmp"} & stored.info.keys()
    assert b"PhoneMaker" not in cleaned.content and b"taken at home" not in cleaned.content


@pytest.mark.parametrize(
    ("image_format", "mode", "extension"),
    [("PNG", "RGBA", "png"), ("WEBP", "RGB", "webp"), ("GIF", "P", "gif"), ("JPEG", "L", "jpg")],
)
def test_accepted_formats_keep_their_format(image_format, mode, extension):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Cam"
    data = pictures.image_bytes(image_format, mode=mode, exif=exif)
    cleaned = image_clean(data=data, name=f"picture.{extension}")
    stored = Image.open(io.BytesIO(cleaned.content))
    assert stored.format == image_format and cleaned.name == f"picture.{extension}"
    assert len(stored.getexif()) == 0


def test_png_transparency_and_colour_profile_survive():
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = pictures.image_bytes("PNG", mode="RGBA", icc_profile=icc)
    stored = Image.open(io.BytesIO(image_clean(data=data, name="a.png").content))
    assert stored.mode == "RGBA" and stored.info.get("icc_profile") == icc


def test_the_extension_follows_the_content_not_the_name():
    cleaned = image_clean(data=pictures.image_bytes("PNG"), name="photo.jpg")
    assert cleaned.name == "photo.png" and cleaned.content_type == "image/png"


BAD_UPLOADS = {
    "not an image": (b"just some text, not a picture", "notes.jpg", "is not a JPEG, PNG"),
    "svg": (pictures.SVG, "logo.png", "SVG images are not accepted"),
    "svg by name": (b"<svg/>", "logo.svg", "SVG images are not accepted"),
    "bmp": (pictures.image_bytes("BMP"), "old.bmp", "is not a JPEG, PNG"),
    "tiff": (pictures.image_bytes("TIFF"), "scan.tiff", "is not a JPEG, PNG"),
    "truncated jpeg": (pictures.jpeg_from_phone(400, 300)[:600], "cut.jpg", "damaged"),
    "over 40 megapixels": (pictures.png_claiming_size(8000, 6000), "big.png", "48.0 megapixels"),
    "decompression bomb": (pictures.png_claiming_size(40000, 40000), "bomb.png", "far too many"),
    "animated gif": (pictures.animated_gif(), "dance.gif", "Animated images are not accepted"),
    "empty": (b"", "empty.png", "empty"),
    "over 10 MB": (b"\xff\xd8\xff" + bytes(11 * 1024 * 1024), "huge.jpg", "the limit is 10 MB"),
}


@pytest.mark.parametrize("case", list(BAD_UPLOADS))
def test_bad_images_are_refused_with_a_reason(case):
    data, name, reason = BAD_UPLOADS[case]
    with pytest.raises(ImageRejected, match=reason):
        image_clean(data=data, name=name)


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(BAD_UPLOADS))
def test_each_bad_upload_is_a_form_error_and_writes_no_file(editor_client, media_files, case):
    data, name, reason = BAD_UPLOADS[case]
    response = editor_client.post(
        ADD_URL,
        article_data(
            cover=SimpleUploadedFile(name, data), cover_alt="A picture", sections=[{"heading": "A"}]
        ),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["cover"]
    assert any(reason.split(" (")[0].rstrip(".") in error for error in errors), errors
    assert not Article.objects.exists()
    assert media_files() == []


@pytest.mark.django_db
def test_a_good_upload_next_to_another_mistake_writes_no_file(editor_client, media_files):
    upload = SimpleUploadedFile("ok.jpg", pictures.jpeg_from_phone())
    # Publishing without alt text (which blocks publishing: settings.PUBLISHING_CHECKS_BLOCK).
    response = editor_client.post(
        ADD_URL, article_data(cover=upload, cover_alt="", status="published")
    )
    errors = response.context["adminform"].form.errors["cover_alt"]
    assert "The cover image has no alt text" in str(errors)
    assert media_files() == []
