"""Author profiles: the models, the editors' admin, and `authors:` in imported files."""

import re
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from PIL import Image, ImageChops, ImageStat

from articles import services
from articles.models import Article, ArticleAuthor, AuthorLink, AuthorProfile
from scripts import make_demo_portraits
from tests import pictures
from tests.articles.admin_data import ADD_URL, CHANGELIST, article_data, change_url, saved
from tests.factories import (
    ArticleFactory,
    AuthorLinkFactory,
    AuthorProfileFactory,
    ReviewerFactory,
    byline,
)

pytestmark = pytest.mark.django_db

PROFILES = "/admin/articles/authorprofile/"


def names(article) -> list[str]:
    return [row.profile.name for row in article.bylines.order_by("position")]


# -- models ------------------------------------------------------------------------------------


class TestModels:
    def test_links_are_web_addresses_only(self):
        link = AuthorLinkFactory.build(
            profile=AuthorProfileFactory(), label="x", url="javascript:alert(1)"
        )
        with pytest.raises(ValidationError, match="http:// or https://"):
            link.full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            link.save()  # the database refuses it too, whoever writes it

    def test_credentials_longer_than_200_characters_are_refused(self):
        profile = AuthorProfileFactory.build(credentials="MD " * 3400)
        with pytest.raises(ValidationError) as error:
            profile.full_clean()
        assert "credentials" in error.value.message_dict

    def test_a_profile_in_a_byline_cannot_be_deleted_by_accident(self):
        profile = AuthorProfileFactory()
        byline(ArticleFactory(), profile)
        with pytest.raises(Exception, match="protected"):
            profile.delete()

    def test_the_photo_gets_renditions_and_loses_them_with_the_profile(
        self, media_files, commit_callbacks, cover_file
    ):
        profile = AuthorProfileFactory(photo=cover_file("me.jpg", size=(500, 500)), photo_alt="Me")
        record = profile.photo_renditions
        assert record["source"] == profile.photo.name and record["webp"]
        assert len(media_files(renditions=True)) > 1
        commit_callbacks(profile.delete)
        assert media_files(renditions=True) == []


# -- admin -------------------------------------------------------------------------------------


class TestArticleAdmin:
    def test_the_authors_are_saved_in_the_order_typed(self, editor_client):
        first, second = AuthorProfileFactory(name="Ana"), AuthorProfileFactory(name="Sam")
        data = article_data(
            bylines=[
                {"profile": second.pk, "position": "2"},
                {"profile": first.pk, "position": "1"},
            ]
        )
        article = saved(editor_client.post(ADD_URL, data))
        assert names(article) == ["Ana", "Sam"]
        assert [row.position for row in article.bylines.order_by("position")] == [1, 2]

    def test_reordering_and_removing_authors(self, editor_client):
        article = ArticleFactory(slug="breathing-through-the-day", draft=True)
        ana, sam, kim = (AuthorProfileFactory(name=n) for n in ("Ana", "Sam", "Kim"))
        byline(article, ana, sam, kim)
        rows = list(article.bylines.order_by("position"))
        data = article_data(
            bylines=[
                {"id": rows[0].pk, "article": article.pk, "profile": ana.pk, "position": "3"},
                {"id": rows[1].pk, "article": article.pk, "profile": sam.pk, "position": "2"},
                {"id": rows[2].pk, "article": article.pk, "profile": kim.pk, "DELETE": "on"},
            ]
        )
        response = editor_client.post(change_url(article), data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        assert names(article) == ["Sam", "Ana"]

    def test_typing_1_on_the_last_author_names_them_first(self, editor_client):
        # As with sections and sources: the row given a number takes that place.
        article = ArticleFactory(slug="breathing-through-the-day", draft=True)
        ana, sam, kim = (AuthorProfileFactory(name=n) for n in ("Ana", "Sam", "Kim"))
        byline(article, ana, sam, kim)
        rows = list(article.bylines.order_by("position"))
        typed = [(ana, "1"), (sam, "2"), (kim, "1")]
        data = article_data(
            bylines=[
                {"id": row.pk, "article": article.pk, "profile": who.pk, "position": position}
                for row, (who, position) in zip(rows, typed, strict=True)
            ]
        )
        response = editor_client.post(change_url(article), data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        assert names(article) == ["Kim", "Ana", "Sam"]

    def test_naming_an_author_twice_is_a_form_error(self, editor_client):
        ana = AuthorProfileFactory(name="Ana")
        data = article_data(
            bylines=[{"profile": ana.pk, "position": "1"}, {"profile": ana.pk, "position": "2"}]
        )
        response = editor_client.post(ADD_URL, data)
        assert response.status_code == 200
        assert "An author is named twice" in response.content.decode()
        assert not Article.objects.exists()

    def test_a_new_article_starts_with_its_creators_profile(self, editor_client, editor):
        mine = AuthorProfileFactory(name="Eddie Editor", user=editor)
        AuthorProfileFactory(name="Someone else")
        page = editor_client.get(ADD_URL).content.decode()
        row = page[page.index('name="bylines-0-profile"') :]
        assert re.match(rf'[^>]*>.*?<option value="{mine.pk}" selected>', row, re.S)
        # Sent back as the page shows it, the article is saved with that byline.
        article = saved(
            editor_client.post(
                ADD_URL, article_data(bylines=[{"profile": mine.pk, "position": "1"}])
            )
        )
        assert names(article) == ["Eddie Editor"]

    def test_an_empty_author_row_is_left_out(self, editor_client):
        article = saved(
            editor_client.post(ADD_URL, article_data(bylines=[{"profile": "", "position": ""}]))
        )
        assert not article.bylines.exists()

    def test_each_author_box_has_its_own_name(self, editor_client):
        byline(ArticleFactory(slug="x", draft=True), AuthorProfileFactory())
        page = editor_client.get(change_url(Article.objects.get())).content.decode()
        for name in ("bylines-0-profile", "bylines-0-position", "bylines-0-DELETE"):
            tag = re.search(rf'<[^>]*name="{name}"[^>]*>', page).group(0)
            assert "aria-label=" in tag, tag


class TestProfileAdmin:
    def test_editor_creates_a_profile_with_photo_and_links(self, editor_client, media_files):
        data = {
            "name": "Dr Ana Ruiz",
            "slug": "ana-ruiz",
            "credentials": "MD, neurologist",
            "job_title": "",
            "bio": "Ana treats movement disorders.",
            "photo": SimpleUploadedFile("ana.jpg", pictures.jpeg_from_phone(200, 200)),
            "photo_alt": "Ana smiling",
            "user": "",
            "links-TOTAL_FORMS": "2",
            "links-INITIAL_FORMS": "0",
            "links-MIN_NUM_FORMS": "0",
            "links-MAX_NUM_FORMS": "1000",
            "links-0-label": "ORCID",
            "links-0-url": "https://orcid.org/0000-0002-1825-0097",
            "links-0-position": "",
            "links-1-label": "",
            "links-1-url": "",
            "links-1-position": "",
        }
        response = editor_client.post(PROFILES + "add/", data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        profile = AuthorProfile.objects.get()
        assert [(link.label, link.position) for link in profile.links.all()] == [("ORCID", 1)]
        assert profile.photo_renditions["source"] == profile.photo.name
        with profile.photo.open("rb") as stored:  # cleaned like a cover: no camera or place
            assert len(Image.open(stored).getexif()) == 0
        listing = editor_client.get(PROFILES).content.decode()
        assert 'alt="Ana smiling"' in listing and "Dr Ana Ruiz" in listing
        found = editor_client.get(PROFILES + "?q=neurologist").content.decode()
        assert "Dr Ana Ruiz" in found

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("links-0-url", "javascript:alert(1)", "Enter a valid URL"),
            ("credentials", "x" * 10_000, "at most 200 characters"),
            ("photo_alt", "", "Say what the photo shows"),
            ("photo", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "SVG images are not accepted"),
            ("photo", b"not a picture at all", "This file is not a JPEG"),
            ("photo", pictures.png_claiming_size(50_000, 50_000), "pixels"),
        ],
    )
    def test_bad_input_is_a_form_error_never_a_500(self, editor_client, field, value, message):
        data = {
            "name": "Ana",
            "slug": "ana",
            "credentials": "",
            "job_title": "",
            "bio": "",
            "photo": SimpleUploadedFile("ana.jpg", pictures.image_bytes("JPEG")),
            "photo_alt": "Ana",
            "user": "",
            "links-TOTAL_FORMS": "1",
            "links-INITIAL_FORMS": "0",
            "links-MIN_NUM_FORMS": "0",
            "links-MAX_NUM_FORMS": "1000",
            "links-0-label": "Site",
            "links-0-url": "https://ana.example.org/",
            "links-0-position": "",
        }
        data[field] = SimpleUploadedFile("ana.jpg", value) if isinstance(value, bytes) else value
        response = editor_client.post(PROFILES + "add/", data)
        assert response.status_code == 200
        assert message in response.content.decode()
        assert not AuthorProfile.objects.exists() and not AuthorLink.objects.exists()

    def test_a_reviewers_credentials_cannot_be_emptied(self, editor_client):
        doctor = ReviewerFactory(name="Dr Ana Ruiz", credentials="MD, neurologist")
        article = ArticleFactory(title="Why faces twitch", health_content=True)
        services.article_review_record(article=article, reviewer=doctor, reviewed_on=date.today())
        data = {
            "name": doctor.name,
            "slug": doctor.slug,
            "credentials": "  ",
            "job_title": "",
            "bio": "",
            "photo_alt": "",
            "user": "",
            "links-TOTAL_FORMS": "0",
            "links-INITIAL_FORMS": "0",
            "links-MIN_NUM_FORMS": "0",
            "links-MAX_NUM_FORMS": "1000",
        }
        response = editor_client.post(f"{PROFILES}{doctor.pk}/change/", data)
        assert response.status_code == 200
        assert "is named as medical reviewer (on “Why faces twitch”)" in response.content.decode()
        doctor.refresh_from_db()
        assert doctor.credentials == "MD, neurologist"
        writer = AuthorProfileFactory(credentials="BA")  # reviews nothing: may drop them
        data.update(name=writer.name, slug=writer.slug)
        response = editor_client.post(f"{PROFILES}{writer.pk}/change/", data)
        assert response.status_code == 302
        writer.refresh_from_db()
        assert writer.credentials == ""


# -- import ------------------------------------------------------------------------------------

DOC = """---
title: Twitching eyelids
standfirst: Why an eyelid flutters, and when to see someone.
{authors}
---

## Why it happens

Tiredness, coffee and stress.
"""


def imported(tmp_path: Path, authors: str) -> Article:
    path = tmp_path / "eyelid.md"
    path.write_text(DOC.format(authors=authors), encoding="utf-8")
    call_command("import_articles", str(path), stdout=StringIO(), stderr=StringIO())
    return Article.objects.get(slug="twitching-eyelids")


class TestImport:
    def test_names_and_slugs_are_matched_or_created_and_kept_on_reimport(self, tmp_path):
        ana = AuthorProfileFactory(name="Dr Ana Ruiz", slug="ana-ruiz")
        authors = (
            "authors:\n  - sam lee\n  - ana-ruiz\n"
            "  - name: Kim Park\n    credentials: RN\n    links:\n"
            "      - {label: ORCID, url: 'https://orcid.org/0000-0001-0000-0001'}"
        )
        AuthorProfileFactory(name="Sam Lee", slug="sam")
        article = imported(tmp_path, authors)
        assert names(article) == ["Sam Lee", "Dr Ana Ruiz", "Kim Park"]
        kim = AuthorProfile.objects.get(name="Kim Park")
        assert (kim.slug, kim.credentials) == ("kim-park", "RN")
        assert [link.url for link in kim.links.all()] == ["https://orcid.org/0000-0001-0000-0001"]
        # The round trip: the same file again changes nothing, makes no one twice.
        rows = list(article.bylines.values_list("pk", "profile_id", "position"))
        again = imported(tmp_path, authors)
        assert list(again.bylines.values_list("pk", "profile_id", "position")) == rows
        assert AuthorProfile.objects.count() == 3 and ana.bylines.count() == 1
        # A slug naming no one yet makes a profile at that address, named from it.
        assert names(imported(tmp_path, "authors: [jo-bloggs]")) == ["Jo Bloggs"]
        assert AuthorProfile.objects.filter(slug="jo-bloggs").exists()
        # Reordered in the file, reordered on the page.
        reordered = imported(tmp_path, "authors: [Kim Park, ana-ruiz]")
        assert names(reordered) == ["Kim Park", "Dr Ana Ruiz"]

    def test_without_authors_a_new_article_is_its_writers(self, tmp_path, editor):
        AuthorProfileFactory(name="Eddie", user=editor)
        path = tmp_path / "eyelid.md"
        path.write_text(DOC.format(authors="author: eddie"), encoding="utf-8")
        call_command("import_articles", str(path), stdout=StringIO())
        assert names(Article.objects.get()) == ["Eddie"]

    @pytest.mark.parametrize(
        ("authors", "message"),
        [
            ("authors: {name: Ana}", "authors must be a list of names or slugs"),
            ("authors:\n  - name: Ana\n    age: 40", "author 1: unknown field 'age'"),
            (f"authors:\n  - name: Ana\n    credentials: {'x' * 10_000}", "longer than 200"),
            (
                "authors:\n  - name: Ana\n    links: [{label: x, url: 'javascript:alert(1)'}]",
                "is not an http:// or https:// web address",
            ),
            ("authors: [Ana, ana]", "named twice"),
            ("authors:\n  - name: ''", "author 1 has no name"),
        ],
    )
    def test_bad_authors_are_refused_with_the_reason(self, tmp_path, authors, message):
        path = tmp_path / "eyelid.md"
        path.write_text(DOC.format(authors=authors), encoding="utf-8")
        err = StringIO()
        with pytest.raises(CommandError):
            call_command("import_articles", str(path), stdout=StringIO(), stderr=err)
        assert message in err.getvalue() and "line 4" in err.getvalue()
        assert not Article.objects.exists() and not AuthorProfile.objects.exists()

    def test_the_admin_import_reports_a_bad_author_not_a_500(self, editor_client):
        text = DOC.format(authors="authors:\n  - name: Ana\n    links: [{url: 'data:x'}]")
        response = editor_client.post(
            CHANGELIST + "import/", {"files": [SimpleUploadedFile("a.md", text.encode())]}
        )
        assert response.status_code == 200
        outcome = response.context["outcomes"][0]
        assert outcome.result == "refused" and "web address" in outcome.detail
        assert not ArticleAuthor.objects.exists()


# -- demo content ------------------------------------------------------------------------------


class TestDemoAuthors:
    def test_the_face_twitching_article_has_a_neurologist_with_a_portrait(
        self, client, commit_callbacks
    ):
        commit_callbacks(call_command, "load_demo", stdout=StringIO())
        article = Article.objects.get(slug="face-twitching-mystery")
        first = article.bylines.order_by("position").first().profile
        assert (first.name, first.credentials) == (
            "Dr Elena Marsh",
            "MD, FRCP, consultant neurologist",
        )
        assert len(first.bio) > 100 and first.links.count() == 2
        assert first.photo_alt == make_demo_portraits.ALT["elena-marsh"]
        with first.photo.open("rb") as stored:  # a real picture, through the uploads' cleaning
            assert Image.open(stored).size == (800, 800)
        assert first.photo_renditions["source"] == first.photo.name
        # Every demo article has an author; loading again makes no one twice.
        assert not Article.objects.filter(bylines__isnull=True).exists()
        count = AuthorProfile.objects.count()
        call_command("load_demo", stdout=StringIO())
        assert AuthorProfile.objects.count() == count == 4  # three authors, one medical reviewer
        page = client.get(first.get_absolute_url()).content.decode()
        assert 'alt="Illustrated portrait of Dr Elena Marsh' in page

    def test_the_committed_portraits_are_what_the_script_draws(self):
        demo = Path(__file__).resolve().parent.parent.parent / "content" / "demo" / "authors"
        for slug in make_demo_portraits.SITTERS:
            drawn = make_demo_portraits.make_portrait(slug).resize((80, 80))
            committed = Image.open(demo / f"{slug}.jpg").convert("RGB").resize((80, 80))
            difference = sum(ImageStat.Stat(ImageChops.difference(drawn, committed)).mean) / 3
            assert difference < 2, "run scripts/make_demo_portraits.py and commit its portraits"
