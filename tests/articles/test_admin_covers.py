"""Cover images uploaded, replaced, cleared and lost in the admin."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from articles.models import Article
from tests import pictures
from tests.articles.admin_data import (
    ADD_URL,
    article_data,
    change_url,
    saved,
)
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


# -- cover images ------------------------------------------------------------------------


def test_cover_upload_is_stored_upright_and_without_location(editor_client, media_files):
    upload = SimpleUploadedFile("holiday.jpg", pictures.jpeg_from_phone(40, 20), "image/jpeg")
    data = article_data(cover=upload, cover_alt="A calm sea", sections=[{"heading": "A"}])
    article = saved(editor_client.post(ADD_URL, data))
    assert (article.cover_width, article.cover_height) == (20, 40)
    assert media_files() == [article.cover.name]
    with article.cover.open("rb") as stored:
        image = Image.open(io.BytesIO(stored.read()))
    assert image.size == (20, 40) and len(image.getexif()) == 0


def test_replacing_and_clearing_a_cover_removes_the_old_files(
    editor_client, media_files, django_capture_on_commit_callbacks
):
    first = SimpleUploadedFile("first.png", pictures.image_bytes("PNG"))
    data = article_data(cover=first, cover_alt="Green", sections=[{"heading": "A"}])
    article = saved(editor_client.post(ADD_URL, data))
    old_name = article.cover.name
    section = article.sections.get()

    second = SimpleUploadedFile("second.png", pictures.image_bytes("PNG", size=(30, 30)))
    data = article_data(cover=second, cover_alt="Green", existing=[section])
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(change_url(article), data)
    article.refresh_from_db()
    assert article.cover.name != old_name and media_files() == [article.cover.name]
    old_stem = old_name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    assert not [f for f in media_files(renditions=True) if f"/{old_stem}-" in f]

    data = article_data(**{"cover-clear": "on"}, cover_alt="", existing=[section])
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(change_url(article), data)
    article.refresh_from_db()
    assert not article.cover and media_files(renditions=True) == []


def test_deleting_an_article_removes_its_cover_file(
    client, owner, media_files, django_capture_on_commit_callbacks
):
    article = ArticleFactory(cover_alt="x")
    article.cover.save("c.png", ContentFile(pictures.image_bytes("PNG")))
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/articles/article/{article.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not Article.objects.exists()
    assert media_files() == []


def test_a_cover_whose_file_is_gone_is_cleared_with_a_warning(editor_client):
    # What restoring an old revision gives once that revision's cover file was replaced.
    article = ArticleFactory(
        draft=True,
        cover="covers/2020/01/gone.jpg",
        cover_alt="Gone",
        cover_width=800,
        cover_height=600,
    )
    data = article_data(
        title=article.title, cover_alt="Gone", existing=[SectionFactory(article=article)]
    )
    response = editor_client.post(change_url(article), data, follow=True)
    article.refresh_from_db()
    assert not article.cover
    assert "The cover image of that version no longer exists" in response.content.decode()
