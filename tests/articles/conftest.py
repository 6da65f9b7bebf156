import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from tests.factories import ArticleFactory, SectionFactory


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def media_files(settings):
    """The files stored under MEDIA_ROOT right now, as paths relative to it.

    Resized copies (renditions/) are left out unless asked for: they follow the cover.
    """

    def list_files(*, renditions: bool = False) -> list[str]:
        root = settings.MEDIA_ROOT
        if not root.exists():
            return []
        found = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
        return found if renditions else [f for f in found if "/renditions/" not in f]

    return list_files


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


@pytest.fixture
def article_with_sections(editor):
    """A draft by the editor with the sections First, Second and Third, in that order."""
    article = ArticleFactory(draft=True, author=editor)
    for position, heading in enumerate(["First", "Second", "Third"], start=1):
        SectionFactory(article=article, position=position, heading=heading, anchor="")
    return article
