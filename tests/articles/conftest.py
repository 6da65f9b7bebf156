import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image


def image_file(
    name: str = "cover.jpg", size=(820, 460), colour="teal", mode="RGB", fmt=None
) -> ContentFile:
    """A real image made with Pillow, ready to assign to Article.cover."""
    buffer = io.BytesIO()
    Image.new(mode, size, colour).save(buffer, fmt or ("PNG" if name.endswith(".png") else "JPEG"))
    return ContentFile(buffer.getvalue(), name=name)


@pytest.fixture
def cover_file():
    return image_file
