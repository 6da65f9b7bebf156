from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import models
from django.utils import timezone
from reversion.models import Version

from articles.cache import content_changed
from articles.models import Article, Section

pytestmark = pytest.mark.django_db

DEMO = Path(settings.BASE_DIR) / "content" / "demo"
SEED = DEMO / "face-twitching-mystery.md"

SEED_OUTLINE = [
    (2, "Face Twitching and Botox Injections: Understanding the Symptoms and Treatment Options"),
    (2, "Face Twitching as a Symptom of Stress"),
    (3, "Face Twitching – A Manifestation of Stress"),
    (3, "Psychogenic Hemifacial Spasms and Botox Injections"),
    (2, "Hemifacial Spasms and Nerve Injuries"),
    (3, "Understanding Hemifacial Spasms"),
    (3, "Botox Injections for Hemifacial Spasms"),
    (2, "In Conclusion"),
    (2, "The Effects of Stress on the Body"),
    (3, "Understanding the Impact of Stress"),
    (3, "Differentiating Acute and Chronic Stress"),
    (2, "Decreasing Stress Levels through Relaxation Techniques"),
    (3, "The Importance of Stress Management"),
    (3, "Effective Stress-Relief Techniques"),
    (2, "Cultivating Kindness on the Healing Journey"),
    (3, "The Power of Kindness in Healing"),
    (3, "Seeking Support on the Healing Journey"),
    (2, "In Conclusion"),
]


def run_import(*paths) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_articles", *map(str, paths), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """---
title: Slow Breathing
slug: slow-breathing
standfirst: Breathe out for longer than you breathe in.
tags: [breathing, stress]
status: published
published_at: 2025-01-02T09:00:00Z
---

## Why it works

Long exhales calm the nervous system.

### The practice

Count four in, six out.
"""

REVIEWED = "reviewed_by: Ana Ruiz\nreviewed_at: {}\nstatus:"


class TestSeedArticle:
    def test_imports_every_section_with_its_level_in_order(self, commit_callbacks):
        out, _ = commit_callbacks(run_import, SEED)
        assert "created face-twitching-mystery" in out
        article = Article.objects.get(slug="face-twitching-mystery")
        assert article.title == (
            "The Face Twitching Mystery: Exploring Causes, Treatment and Stress Relief"
        )
        outline = list(article.sections.values_list("level", "heading"))
        assert outline == SEED_OUTLINE
        anchors = list(article.sections.values_list("anchor", flat=True))
        assert len(set(anchors)) == len(anchors)
        assert anchors[-1] == "in-conclusion-2"
        assert article.cover and article.cover_alt
        assert set(article.tags.names()) >= {"Face twitching", "Botox", "Stress"}
        assert article in Article.objects.published()

    def test_heading_glued_to_the_first_paragraph_is_mended(self):
        run_import(SEED)
        first = Section.objects.get(article__slug="face-twitching-mystery", position=1)
        assert first.body.startswith("<p>Have you ever experienced")

    def test_broken_numbered_list_is_one_ordered_list(self):
        run_import(SEED)
        techniques = Section.objects.get(anchor="effective-stress-relief-techniques")
        assert techniques.body.count("<li>") == 5
        assert "Deep Breathing:" in techniques.body and "Social Support:" in techniques.body

    def test_search_vector_and_reading_time_are_derived(self, commit_callbacks):
        commit_callbacks(run_import, SEED)
        article = Article.objects.get(slug="face-twitching-mystery")
        assert article.reading_time >= 7  # ~1,600 words
        assert Article.objects.filter(search_vector="botox").get() == article
        assert Article.objects.filter(search_vector="hemifacial").exists()


class TestImporter:
    def test_reimport_updates_and_never_duplicates(self, tmp_path):
        path = write(tmp_path, "a.md", GOOD)
        assert "created slow-breathing" in run_import(path)[0]
        write(tmp_path, "a.md", GOOD.replace("Count four in", "Count three in"))
        assert "updated slow-breathing" in run_import(path)[0]
        assert Article.objects.count() == 1
        assert Section.objects.count() == 2
        assert "Count three in" in Section.objects.get(position=2).body

    def test_reimport_with_same_cover_keeps_one_file(self, tmp_path, settings):
        from PIL import Image

        Image.new("RGB", (40, 30), "teal").save(tmp_path / "c.png")
        text = GOOD.replace("status:", "cover: c.png\ncover_alt: A teal square\nstatus:")
        path = write(tmp_path, "a.md", text)
        run_import(path)
        run_import(path)
        covers = list((Path(settings.MEDIA_ROOT) / "covers").rglob("*.png"))
        assert len(covers) == 1
        assert Article.objects.get().cover_width == 40

    @pytest.mark.parametrize(
        ("mutate", "line", "reason"),
        [
            (lambda t: t.replace("title: Slow Breathing\n", ""), 1, "title is required"),
            (lambda t: t.replace("status: published", "status: live"), 6, "status must be"),
            (lambda t: t.replace("2025-01-02T09:00:00Z", "next tuesday"), 7, "published_at"),
            (lambda t: t.replace("tags: [breathing, stress]", "tags: [a, b"), 5, "not valid YAML"),
            (lambda t: t.replace("## Why it works", "# Why it works"), 10, "use ## or ###"),
            (lambda t: t.replace("slug: slow-breathing", "slug: Slow Breathing!"), 3, "slug"),
            (lambda t: t.replace("status:", "colour: blue\nstatus:"), 6, "unknown front matter"),
            (lambda t: t.replace("status:", "cover: missing.jpg\nstatus:"), 6, "cover_alt"),
            # A date that is no date, or one no article can have: a typing slip.
            (lambda t: t.replace("2025-01-02", "2026-02-30"), 7, "2026-02-30T09:00:00Z is not a"),
            (lambda t: t.replace("2025-01-02", "0026-01-02"), 7, "02/01/0026 is before 1990"),
            (lambda t: t.replace("2025-01-02", "9999-12-31"), 7, "more than 3 years ahead"),
            (lambda t: t.replace("status:", REVIEWED.format("2026-13-01")), 7, "not a real date"),
            (lambda t: t.replace("status:", REVIEWED.format("0026-11-16")), 7, "before 1990"),
            (lambda t: t.replace("status:", REVIEWED.format("2999-11-16")), 7, "in the future"),
        ],
    )
    def test_malformed_file_is_refused_with_name_and_line(self, tmp_path, mutate, line, reason):
        path = write(tmp_path, "bad.md", mutate(GOOD))
        err = StringIO()
        with pytest.raises(CommandError, match="1 of 1 file"):
            call_command("import_articles", str(path), stdout=StringIO(), stderr=err)
        assert f"{path}: refused: line {line}: " in err.getvalue()
        assert reason in err.getvalue()
        assert Article.objects.count() == 0
        assert Section.objects.count() == 0

    def test_error_names_the_file_and_line(self, tmp_path):
        path = write(tmp_path, "bad.md", GOOD.replace("status: published", "status: live"))
        err = StringIO()
        with pytest.raises(CommandError):
            call_command("import_articles", str(path), stdout=StringIO(), stderr=err)
        assert f"{path}: refused: line 6: status must be draft or published" in err.getvalue()

    def test_a_bad_file_does_not_stop_the_good_ones(self, tmp_path):
        good = write(tmp_path, "good.md", GOOD)
        bad = write(
            tmp_path, "bad.md", GOOD.replace("slug: slow-breathing", "slug: other") + "\n# H1\n"
        )
        with pytest.raises(CommandError, match="1 of 2"):
            run_import(bad, good)
        assert list(Article.objects.values_list("slug", flat=True)) == ["slow-breathing"]

    def test_a_file_with_an_impossible_date_does_not_stop_the_others(self, tmp_path):
        good = write(tmp_path, "good.md", GOOD)
        bad = write(
            tmp_path,
            "bad.md",
            GOOD.replace("slow-breathing", "other").replace(
                "2025-01-02T09:00:00Z", "2026-02-30T09:00:00Z"
            ),
        )
        err = StringIO()
        with pytest.raises(CommandError, match="1 of 2"):
            call_command("import_articles", str(bad), str(good), stdout=StringIO(), stderr=err)
        assert f"{bad}: refused: line 7: 2026-02-30T09:00:00Z is not a real date" in err.getvalue()
        assert list(Article.objects.values_list("slug", flat=True)) == ["slow-breathing"]

    def test_imported_cover_is_upright_and_keeps_no_location(self, tmp_path, settings):
        from PIL import Image

        from tests.pictures import jpeg_from_phone

        (tmp_path / "phone.jpg").write_bytes(jpeg_from_phone(width=40, height=20))
        text = GOOD.replace("status:", "cover: phone.jpg\ncover_alt: A photo\nstatus:")
        run_import(write(tmp_path, "a.md", text))
        article = Article.objects.get()
        with Image.open(article.cover.path) as stored:
            assert not stored.getexif()  # no GPS, no camera, no orientation tag
            assert stored.size == (20, 40)  # turned upright as the phone meant it
        assert (article.cover_width, article.cover_height) == (20, 40)

    def test_a_changed_cover_replaces_the_old_file(
        self, tmp_path, settings, django_capture_on_commit_callbacks
    ):
        from PIL import Image

        Image.new("RGB", (40, 30), "teal").save(tmp_path / "c.png")
        text = GOOD.replace("status:", "cover: c.png\ncover_alt: A teal square\nstatus:")
        path = write(tmp_path, "a.md", text)
        run_import(path)
        first = Article.objects.get().cover.path
        Image.new("RGB", (40, 30), "orange").save(tmp_path / "c.png")
        with django_capture_on_commit_callbacks(execute=True):
            run_import(path)
        covers = list((Path(settings.MEDIA_ROOT) / "covers").rglob("*.png"))
        assert covers == [Path(Article.objects.get().cover.path)]
        assert str(covers[0]) != first

    def test_file_whose_cover_is_not_an_image_writes_nothing(self, tmp_path, settings):
        (tmp_path / "c.jpg").write_bytes(b"not an image at all")
        text = GOOD.replace("status:", "cover: c.jpg\ncover_alt: x\nstatus:")
        with pytest.raises(CommandError):
            run_import(write(tmp_path, "a.md", text))
        assert Article.objects.count() == 0
        assert not (Path(settings.MEDIA_ROOT) / "covers").exists()

    def test_reimport_failure_leaves_the_previous_version_intact(self, tmp_path):
        path = write(tmp_path, "a.md", GOOD)
        run_import(path)
        write(tmp_path, "a.md", GOOD.replace("### The practice", "#### Too deep\n\n# H1"))
        with pytest.raises(CommandError):
            run_import(path)
        assert Section.objects.count() == 2

    def test_published_without_a_date_is_published_now_and_keeps_that_date(self, tmp_path):
        path = write(tmp_path, "a.md", GOOD.replace("published_at: 2025-01-02T09:00:00Z\n", ""))
        before = timezone.now().replace(microsecond=0)  # stored to the second, as shown
        run_import(path)
        article = Article.objects.get()
        assert article.is_public and before <= article.published_at <= timezone.now()
        assert article.published_at.microsecond == 0
        first_published = article.published_at
        run_import(path)  # a re-import does not move the publication date
        assert Article.objects.get().published_at == first_published

    def test_a_missing_cover_says_where_it_was_looked_for_and_on_which_line(self, tmp_path):
        text = GOOD.replace("status:", "cover: covers/calm.jpg\ncover_alt: Calm\nstatus:")
        path = write(tmp_path, "a.md", text)
        err = StringIO()
        with pytest.raises(CommandError):
            call_command("import_articles", str(path), stdout=StringIO(), stderr=err)
        assert err.getvalue().strip() == (
            f"{path}: refused: line 6: cover image covers/calm.jpg was not found at "
            f"{tmp_path / 'covers' / 'calm.jpg'} (a cover is looked for relative to the "
            "Markdown file): put the image there, or correct the cover: line"
        )

    @pytest.mark.parametrize(
        ("cover", "says"),
        [
            ("../elsewhere/c.jpg", "is outside the Markdown file's folder: give the image's path"),
            ("c.heic", "is not a picture file name: the cover must be a JPEG, PNG, WebP or GIF"),
        ],
    )
    def test_a_wrong_cover_line_says_what_is_wrong_and_what_to_write(self, tmp_path, cover, says):
        text = GOOD.replace("status:", f"cover: {cover}\ncover_alt: Calm\nstatus:")
        err = StringIO()
        with pytest.raises(CommandError):
            call_command("import_articles", str(write(tmp_path, "a.md", text)), stderr=err)
        assert f"line 6: cover {cover} {says}" in err.getvalue()

    def test_every_import_saves_a_revision_with_the_sections(self, tmp_path):
        path = write(tmp_path, "a.md", GOOD)
        run_import(path)
        article = Article.objects.get()
        version = Version.objects.get_for_object(article).get()
        assert version.revision.get_comment() == f"Imported from {path}."
        sections = version.revision.version_set.filter(content_type__model="section")
        assert sorted(v.field_dict["heading"] for v in sections) == ["The practice", "Why it works"]

        # An editor's first change can then be undone: the imported text comes back.
        Section.objects.filter(heading="Why it works").update(body="<p>Edited.</p>")
        version.revision.revert(delete=True)
        assert "Long exhales" in Section.objects.get(heading="Why it works").body

    def test_missing_path_is_a_clear_error(self, tmp_path):
        with pytest.raises(CommandError, match="no such file"):
            run_import(tmp_path / "nope.md")


class TestDemoContent:
    def test_load_demo_is_idempotent_and_keeps_editor_changes(self):
        call_command("load_demo", stdout=StringIO())
        count = Article.objects.count()
        assert count >= 10
        Article.objects.filter(slug="face-twitching-mystery").update(title="Edited by an editor")
        call_command("load_demo", stdout=StringIO())
        assert Article.objects.count() == count
        assert Article.objects.get(slug="face-twitching-mystery").title == "Edited by an editor"

    def test_every_demo_article_starts_with_a_revision(self):
        call_command("load_demo", stdout=StringIO())
        for article in Article.objects.all():
            version = Version.objects.get_for_object(article).get()
            assert (
                version.revision.version_set.filter(content_type__model="section").count()
                == article.sections.count()
            )

    def test_demo_tags_overlap(self):
        call_command("load_demo", stdout=StringIO())
        from django.db.models import Count
        from taggit.models import Tag

        shared = Tag.objects.annotate(n=Count("articles_taggedarticle_items")).filter(n__gte=2)
        assert shared.count() >= 3


# -- issue 18: primary tag, tag names, and dates an import never invents -------------------


def with_front(extra: str, tags: str = "[Breathing, Stress]") -> str:
    return GOOD.replace("tags: [breathing, stress]\n", f"tags: {tags}\n{extra}")


def test_primary_tag_from_front_matter_or_the_first_tag(tmp_path):
    run_import(write(tmp_path, "a.md", with_front("primary_tag: stress\n")))
    assert Article.objects.get().primary_tag.name == "Stress"
    run_import(write(tmp_path, "a.md", with_front("")))
    assert Article.objects.get().primary_tag.name == "Breathing"  # the first one written


def test_a_primary_tag_that_is_not_a_tag_is_refused(tmp_path):
    with pytest.raises(CommandError):
        _, err = run_import(write(tmp_path, "a.md", with_front("primary_tag: Sleep\n")))
    assert not Article.objects.exists()


def test_refusal_names_the_primary_tag_line(tmp_path):
    from articles.content import ContentError, parse_import_document

    with pytest.raises(ContentError) as refused:
        parse_import_document(with_front("primary_tag: Sleep\n"))
    assert "primary_tag must be one of the tags" in str(refused.value)
    assert refused.value.line == 6


def test_tag_names_as_written_and_slug_named_tags_take_the_spelling(tmp_path):
    from taggit.models import Tag

    Tag.objects.create(name="face-twitching", slug="face-twitching")  # as older imports made it
    run_import(write(tmp_path, "a.md", with_front("", tags="[Face twitching, Self-care]")))
    names = {tag.slug: tag.name for tag in Tag.objects.all()}
    assert names == {"face-twitching": "Face twitching", "self-care": "Self-care"}
    assert set(Article.objects.get().tags.values_list("name", flat=True)) == {
        "Face twitching",
        "Self-care",
    }


def test_an_import_keeps_the_files_date_and_never_claims_an_update(tmp_path, client):
    path = write(tmp_path, "a.md", with_front(""))
    run_import(path)
    run_import(path)  # importing again is not an editor changing the words
    article = Article.objects.get()
    assert article.revised_at is None
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Updated" not in html
    assert 'content="2025-01-02T09:00:00+00:00"' in html  # article:modified_time: publication

    run_import(write(tmp_path, "a.md", with_front("updated_at: 2025-03-04T10:00:00Z\n")))
    article.refresh_from_db()
    assert article.revised_at.isoformat() == "2025-03-04T10:00:00+00:00"
    content_changed()  # as the import's commit does
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'Updated <time datetime="2025-03-04T10:00:00+00:00">4 March 2025</time>' in html


def test_demo_articles_have_proper_tag_names_and_keep_their_dates(client):
    call_command("load_demo", stdout=StringIO())
    names = set(
        Article.objects.values_list("tags__name", flat=True).exclude(tags__name__isnull=True)
    )
    assert "Face twitching" in names and "Self-care" in names
    assert all(name[0].isupper() for name in names), names
    assert (
        not Article.objects.filter(revised_at__isnull=False)
        .exclude(revised_at__gt=models.F("published_at"))
        .exists()
    )
    seed = Article.objects.get(slug="face-twitching-mystery")
    html = client.get(seed.get_absolute_url()).content.decode()
    crumb = html[
        html.index('class="breadcrumb"') : html.index("</nav>", html.index('class="breadcrumb"'))
    ]
    assert ">Face twitching</a>" in crumb
