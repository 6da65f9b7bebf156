"""Importing Markdown files through the admin."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from reversion.models import Version

from articles.models import Article
from tests import pictures
from tests.articles.admin_data import (
    CHANGELIST,
)

pytestmark = pytest.mark.django_db


# -- Markdown import ---------------------------------------------------------------------------

GOOD_MD = """---
title: Slow Breathing
standfirst: Breathe out for longer than you breathe in.
tags: [breathing]
cover: covers/calm.jpg
cover_alt: A calm blue gradient
---

## Why it works

Long exhales calm the nervous system.
"""
BAD_MD = """---
title: Broken
standfirst: Oops.
---

Text before any heading.
"""


def upload(name: str, content) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode() if isinstance(content, str) else content)


def test_import_page_reports_each_file(editor_client, editor, media_files):
    files = [
        upload("slow.md", GOOD_MD),
        upload("broken.md", BAD_MD),
        upload("latin1.md", "---\ntitle: caf\xe9\n".encode("latin-1")),
        upload("calm.jpg", pictures.jpeg_from_phone()),
        upload("unused.png", pictures.image_bytes("PNG")),
    ]
    response = editor_client.post(CHANGELIST + "import/", {"files": files})
    outcomes = {o.file: (o.result, o.detail) for o in response.context["outcomes"]}
    assert outcomes == {
        "slow.md": ("created", "slow-breathing"),
        "broken.md": ("refused", "line 6: text before the first ## heading"),
        "latin1.md": ("refused", "the file is not UTF-8 text"),
        "unused.png": ("ignored", "no Markdown file names it as its cover"),
    }
    article = Article.objects.get()
    assert article.author == editor and article.tags.names()[0] == "breathing"
    with article.cover.open("rb") as stored:  # the cover went through the same cleaning
        assert len(Image.open(io.BytesIO(stored.read())).getexif()) == 0
    assert media_files() == [article.cover.name]
    revision = Version.objects.get_for_object(article).get().revision
    assert revision.user == editor and revision.get_comment() == "Imported from slow.md."
    # The revision holds the imported sections, so the first edit can be compared and undone.
    sections = revision.version_set.filter(content_type__model="section")
    assert [v.field_dict["heading"] for v in sections] == ["Why it works"]

    again = editor_client.post(CHANGELIST + "import/", {"files": [upload("slow.md", GOOD_MD)]})
    result, reason = again.context["outcomes"][0].result, again.context["outcomes"][0].detail
    assert result == "refused" and reason == (
        "line 5: the cover image calm.jpg (cover: covers/calm.jpg) was not among the files "
        "chosen: choose the Markdown file and its cover image together, or remove the cover: line"
    )

    edited = GOOD_MD.replace("cover: covers/calm.jpg\n", "").replace(
        "cover_alt: A calm blue gradient\n", ""
    )
    again = editor_client.post(CHANGELIST + "import/", {"files": [upload("slow.md", edited)]})
    assert again.context["outcomes"][0].result == "updated"
    assert Article.objects.count() == 1


def test_import_page_refuses_a_file_with_an_impossible_date_and_imports_the_others(
    editor_client,
):
    plain = GOOD_MD.replace("cover: covers/calm.jpg\ncover_alt: A calm blue gradient\n", "")
    files = [
        upload("slow.md", plain),
        upload(
            "feb.md",
            plain.replace("title: Slow", "published_at: 2026-02-30T09:00:00Z\ntitle: Slow").replace(
                "Breathing", "Breath"
            ),
        ),
        upload(
            "month.md",
            plain.replace("title:", "reviewed_by: Ana\nreviewed_at: 2026-13-01\ntitle:").replace(
                "Breathing", "Breaths"
            ),
        ),
        upload(
            "year.md",
            plain.replace("title: Slow", "published_at: 0026-01-02T09:00:00Z\ntitle: Slow").replace(
                "Breathing", "Breather"
            ),
        ),
    ]
    response = editor_client.post(CHANGELIST + "import/", {"files": files})
    assert response.status_code == 200
    outcomes = {o.file: (o.result, o.detail) for o in response.context["outcomes"]}
    assert outcomes["slow.md"] == ("created", "slow-breathing")
    assert outcomes["feb.md"] == (
        "refused",
        "line 2: 2026-02-30T09:00:00Z is not a real date (day is out of range for month): "
        "check the day and the month",
    )
    assert outcomes["month.md"][0] == "refused"
    assert outcomes["month.md"][1].startswith("line 3: 2026-13-01 is not a real date")
    assert outcomes["year.md"] == (
        "refused",
        "line 2: The publication date 02/01/0026 is before 1990: check the year (such as "
        "0026 typed for 2026).",
    )
    assert list(Article.objects.values_list("slug", flat=True)) == ["slow-breathing"]


def test_import_page_refuses_a_bad_cover_with_the_reason(editor_client):
    files = [upload("slow.md", GOOD_MD), upload("calm.jpg", pictures.SVG)]
    response = editor_client.post(CHANGELIST + "import/", {"files": files})
    outcome = response.context["outcomes"][0]
    assert outcome.result == "refused" and "SVG images are not accepted" in outcome.detail
    assert not Article.objects.exists()


def test_import_page_is_linked_from_the_list_and_needs_a_file(editor_client):
    assert (
        'href="/admin/articles/article/import/"' in editor_client.get(CHANGELIST).content.decode()
    )
    response = editor_client.post(CHANGELIST + "import/", {})
    assert response.status_code == 200 and response.context["form"].errors["files"]


def test_import_page_links_the_editors_guide_on_the_import_format(editor_client):
    page = editor_client.get(CHANGELIST + "import/").content.decode()
    assert "README" not in page
    link = re.search(r'<a href="([^"]+)">Importing Markdown, in the editors’ guide</a>', page)
    url, anchor = link.group(1).split("#")
    guide = editor_client.get(url)
    assert guide.status_code == 200
    html = guide.content.decode()
    assert f'<h2 id="{anchor}">Importing Markdown</h2>' in html
    assert "published_at: 2025-01-02T09:00:00Z" in html  # the example file
    assert 'href="configuration.md"' not in html  # repository paths lead nowhere here


def test_admin_import_publishes_now_when_the_file_gives_no_date(editor_client, media_files):
    published = GOOD_MD.replace("tags:", "status: published\ntags:")
    files = [upload("slow.md", published), upload("calm.jpg", pictures.jpeg_from_phone())]
    outcome = editor_client.post(CHANGELIST + "import/", {"files": files}).context["outcomes"][0]
    assert outcome.result == "created"
    assert Article.objects.get().is_public
