"""Cover renditions: made once with Pillow whenever the cover changes, whoever changes it;
removed with the cover they came from; pages degrade to no image when a file is lost."""

import io
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from PIL import Image

from articles.models import Article
from articles.renditions import rendition_names
from tests.articles.conftest import image_file
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def media(settings) -> Path:
    return Path(settings.MEDIA_ROOT)


def files_under(settings, pattern: str = "*") -> set[str]:
    root = media(settings)
    return {str(p.relative_to(root)) for p in root.rglob(pattern) if p.is_file()}


def with_cover(**kwargs) -> Article:
    kwargs.setdefault("cover", image_file())
    kwargs.setdefault("cover_alt", "A teal field")
    return ArticleFactory(**kwargs)


class TestMaking:
    def test_widths_and_formats_are_made_on_save(self, settings):
        article = with_cover(cover=image_file(size=(1600, 900)))
        record = article.cover_renditions
        assert record["source"] == article.cover.name
        assert record["fallback_type"] == "image/jpeg"
        assert [r["width"] for r in record["fallback"]] == [400, 800, 1200, 1600]
        assert [r["width"] for r in record["webp"]] == [400, 800, 1200, 1600]
        for item in record["fallback"] + record["webp"]:
            with Image.open(media(settings) / item["name"]) as made:
                assert made.size == (item["width"], item["height"])
                assert made.format == ("WEBP" if item["name"].endswith(".webp") else "JPEG")
                assert item["height"] == round(900 * item["width"] / 1600)

    def test_never_upscaled(self):
        article = with_cover(cover=image_file(size=(500, 300)))
        assert [r["width"] for r in article.cover_renditions["webp"]] == [400, 500]
        small = with_cover(cover=image_file(size=(40, 30)))
        assert [(r["width"], r["height"]) for r in small.cover_renditions["fallback"]] == [(40, 30)]

    def test_transparent_png_keeps_its_transparency(self, settings):
        article = with_cover(
            cover=image_file("logo.png", size=(600, 400), colour=(0, 0, 0, 0), mode="RGBA")
        )
        assert article.cover_renditions["fallback_type"] == "image/png"
        with Image.open(media(settings) / article.cover_renditions["fallback"][0]["name"]) as png:
            assert png.mode == "RGBA" and png.getpixel((5, 5))[3] == 0

    def test_a_cover_wider_than_1600_is_made_once_at_1600(self, settings, client):
        article = with_cover(cover=image_file(size=(2400, 1200)))
        assert [r["width"] for r in article.cover_renditions["fallback"]] == [400, 800, 1200, 1600]
        assert [r["width"] for r in article.cover_renditions["webp"]] == [400, 800, 1200, 1600]
        made = files_under(settings, "*-1600.*")
        assert len(made) == 2, made  # one JPEG, one WebP: not a second copy under another name
        html = client.get(article.get_absolute_url()).content.decode()
        for srcset in re.findall(r'srcset="([^"]+)"', html):
            widths = re.findall(r" (\d+)w", srcset)
            assert widths == ["400", "800", "1200", "1600"], srcset

    def test_crops_for_search_engines_keep_the_focal_point(self, settings):
        # A plain field with one detailed thing near its right edge: the square must keep it.
        picture = Image.new("RGB", (1600, 900), "white")
        for x in range(1300, 1500, 10):
            picture.paste("black", (x, 300, x + 5, 600))
        buffer = io.BytesIO()
        picture.save(buffer, "JPEG", quality=95)
        article = with_cover(cover=ContentFile(buffer.getvalue(), name="detail.jpg"))
        crops = {item["ratio"]: item for item in article.cover_renditions["crops"]}
        assert {ratio: (c["width"], c["height"]) for ratio, c in crops.items()} == {
            "16:9": (1200, 675),
            "4:3": (1200, 900),
            "1:1": (900, 900),
        }
        # A 16:9 cover's 16:9 crop is its 1200 px copy, not a second file.
        copies = {item["width"]: item["name"] for item in article.cover_renditions["fallback"]}
        assert crops["16:9"]["name"] == copies[1200]
        assert len(set(rendition_names(article.cover_renditions))) == 4 + 4 + 2
        for item in crops.values():
            with Image.open(media(settings) / item["name"]) as made:
                assert made.size == (item["width"], item["height"]) and made.format == "JPEG"
        with Image.open(media(settings) / crops["1:1"]["name"]) as square:
            stripes = [square.getpixel((x, 450))[0] < 100 for x in range(0, 900, 5)]
        # All twenty stripes are in the square (a centred one would have cut every one).
        assert sum(stripes) >= 20

    def test_made_once_not_on_every_save(self, settings):
        article = with_cover()
        before = files_under(settings)
        article.title = "Retitled"
        article.save()
        article.save(update_fields=["title"])
        assert files_under(settings) == before
        assert Article.objects.get(pk=article.pk).cover_renditions == article.cover_renditions

    def test_importer_covers_get_renditions(self, tmp_path, settings):
        Image.new("RGB", (900, 600), "navy").save(tmp_path / "c.jpg")
        (tmp_path / "a.md").write_text(
            "---\ntitle: T\nstandfirst: S\ncover: c.jpg\ncover_alt: Navy\n---\n\n## H\n\nBody.\n"
        )
        call_command("import_articles", str(tmp_path / "a.md"), stdout=StringIO())
        article = Article.objects.get()
        assert [r["width"] for r in article.cover_renditions["fallback"]] == [400, 800, 900]
        call_command("import_articles", str(tmp_path / "a.md"), stdout=StringIO())
        assert len(files_under(settings, "*.webp")) == 3  # re-import of the same file: no new ones

    def test_unreadable_cover_saves_without_renditions(self, settings):
        article = ArticleFactory(
            cover=ContentFile(b"not an image", name="broken.jpg"),
            cover_alt="x",
            cover_width=10,
            cover_height=10,
        )
        assert article.cover_renditions == {}
        assert not files_under(settings, "renditions/*")


class TestReplacingAndDeleting:
    def test_new_cover_replaces_the_old_renditions(
        self, settings, django_capture_on_commit_callbacks
    ):
        article = with_cover()
        old = set(rendition_names(article.cover_renditions))
        with django_capture_on_commit_callbacks(execute=True):
            article.cover = image_file("other.jpg", size=(1000, 500), colour="orange")
            article.save()
        new = set(rendition_names(article.cover_renditions))
        assert new and not (old & new)
        on_disk = files_under(settings)
        assert new <= on_disk and not (old & on_disk)

    def test_a_rolled_back_change_keeps_the_old_files(self, settings):
        from django.db import transaction

        article = with_cover()
        old = set(rendition_names(article.cover_renditions))
        with pytest.raises(RuntimeError), transaction.atomic():
            article.cover = image_file("other.jpg")
            article.save()
            raise RuntimeError("rolled back")
        assert old <= files_under(settings)

    def test_removing_the_cover_removes_its_renditions(
        self, settings, django_capture_on_commit_callbacks
    ):
        article = with_cover()
        with django_capture_on_commit_callbacks(execute=True):
            article.cover = ""
            article.cover_alt = ""
            article.save()
        assert article.cover_renditions == {}
        assert not files_under(settings, "renditions/*")

    def test_deleting_the_article_removes_its_renditions(
        self, settings, django_capture_on_commit_callbacks
    ):
        article = with_cover()
        assert files_under(settings, "*.webp")
        with django_capture_on_commit_callbacks(execute=True):
            Article.objects.filter(pk=article.pk).delete()  # the admin's bulk delete path
        assert not files_under(settings, "*.webp")


class TestPages:
    def test_article_cover_is_a_picture_with_srcset_sizes_and_dimensions(self, client):
        article = with_cover(cover=image_file(size=(1600, 900)), cover_caption="Calm waters")
        html = client.get(article.get_absolute_url()).content.decode()
        figure = re.search(r'<figure class="cover">.*?</figure>', html, re.S).group(0)
        assert '<source type="image/webp" srcset="/media/' in figure
        assert re.search(r'srcset="[^"]*-400\.webp 400w, [^"]*-800\.webp 800w', figure)
        assert re.search(r'<img src="/media/[^"]+-1600\.jpg" srcset="[^"]+400w', figure)
        assert 'sizes="(min-width: 60rem) 41rem, calc(100vw - 2rem)"' in figure
        assert 'width="1600" height="900" alt="A teal field"' in figure
        assert 'fetchpriority="high"' in figure and "loading=" not in figure
        assert "<figcaption>Calm waters</figcaption>" in figure

    def test_cards_are_lazy_and_decorative(self, client):
        with_cover(featured=True)
        with_cover()
        html = client.get("/").content.decode()
        images = re.findall(r"<img [^>]+>", html[html.index("<main") :])
        assert len(images) == 2
        featured, card = images
        assert 'fetchpriority="high"' in featured  # the first thing seen: not lazy
        assert 'loading="lazy"' in card and 'alt=""' in card
        assert 'width="820" height="460"' in card

    def test_social_cards_use_a_1200_wide_rendition(self, client):
        article = with_cover(cover=image_file(size=(1600, 900)))
        html = client.get(article.get_absolute_url()).content.decode()
        assert re.search(
            r'<meta property="og:image" content="http://testserver/media/[^"]+-1200\.jpg">', html
        )
        assert '<meta property="og:image:width" content="1200">' in html
        assert '<meta name="twitter:card" content="summary_large_image">' in html

    def test_a_lost_file_degrades_to_no_image(self, client, settings):
        article = with_cover(featured=True)
        for path in media(settings).rglob("*.*"):
            path.unlink()
        for url in ("/", article.get_absolute_url(), "/feed/"):
            response = client.get(url)
            assert response.status_code == 200
            assert "<img" not in response.content.decode().split("<main")[-1]
        assert "og:image" not in client.get(article.get_absolute_url()).content.decode()

    def test_a_cover_without_renditions_falls_back_to_the_original(self, client):
        article = with_cover()
        Article.objects.filter(pk=article.pk).update(cover_renditions={})
        html = client.get(article.get_absolute_url()).content.decode()
        assert f'<img src="/media/{article.cover.name}" width="820" height="460"' in html

    def test_media_are_served_only_when_asked(self, client, settings):
        article = with_cover()
        name = article.cover_renditions["webp"][0]["name"]
        assert client.get(f"/media/{name}").status_code == 404
        settings.SERVE_MEDIA = True
        response = client.get(f"/media/{name}")
        assert response.status_code == 200 and response["Content-Type"] == "image/webp"


def test_make_renditions_backfills_what_is_missing(settings):
    article = with_cover()
    Article.objects.filter(pk=article.pk).update(cover_renditions={})
    with_cover()  # complete: left alone
    out = StringIO()
    call_command("make_renditions", stdout=out)
    assert "renditions made for 1 article(s)" in out.getvalue()
    article.refresh_from_db()
    assert all(
        (media(settings) / name).exists() for name in rendition_names(article.cover_renditions)
    )


def test_make_renditions_adds_the_crops_to_older_records(settings):
    article = with_cover()
    record = dict(article.cover_renditions)
    del record["crops"]
    Article.objects.filter(pk=article.pk).update(cover_renditions=record)
    call_command("make_renditions", stdout=StringIO())
    article.refresh_from_db()
    assert [item["ratio"] for item in article.cover_renditions["crops"]] == ["16:9", "4:3", "1:1"]
