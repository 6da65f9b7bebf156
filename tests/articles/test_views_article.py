"""An article's page and what it tells search engines."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from PIL import Image

from articles import services
from articles.cache import content_changed
from tests.articles.conftest import image_file
from tests.articles.page_reading import days_ago, html_of, json_ld, main_of
from tests.factories import ArticleFactory, ReviewerFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


def related_titles(html: str) -> list[str]:
    start = html.index('id="related_title"')
    related = html[start : html.index("</section>", start)]
    return re.findall(r'<h3 class="card__title"><a href="[^"]+">([^<]+)</a>', related)


class TestArticlePage:
    def test_sections_in_order_nested_under_their_heading(self, client):
        article = ArticleFactory(title="Sleep well")
        SectionFactory(article=article, position=3, heading="Another part", level=2)
        SectionFactory(article=article, position=2, heading="Second part", level=3)
        SectionFactory(article=article, position=1, heading="First part", level=2)
        html = html_of(client, article.get_absolute_url())
        body = html[html.index('class="prose"') :]
        # The H3 section sits inside the H2 section before it.
        assert re.search(
            r'<section>\s*<h2 id="first-part">First part</h2>\s*<p>.*?</p>\s*'
            r'<section>\s*<h3 id="second-part">Second part</h3>\s*<p>.*?</p>\s*</section>\s*'
            r'</section>\s*<section>\s*<h2 id="another-part">Another part</h2>',
            body,
        )

    def test_table_of_contents_links_every_section_with_h3_nested(self, client):
        article = ArticleFactory()
        SectionFactory(article=article, position=1, heading="Why", level=2)
        SectionFactory(article=article, position=2, heading="How exactly", level=3)
        SectionFactory(article=article, position=3, heading="When", level=2)
        html = html_of(client, article.get_absolute_url())
        toc = html[html.index('<nav class="toc"') : html.index("</nav>", html.index('class="toc"'))]
        assert re.search(
            r'<li><a href="#why">Why</a>\s*<ol><li><a href="#how-exactly">How exactly</a></li></ol>'
            r'</li>\s*<li><a href="#when">When</a></li>',
            toc,
        )

    def test_header_shows_author_dates_and_reading_time(self, client):
        author = UserFactory(first_name="Ada", last_name="Calm")
        article = ArticleFactory(author=author, published_at=datetime(2025, 5, 1, 9, tzinfo=UTC))
        html = html_of(client, article.get_absolute_url())
        assert "Ada Calm" in html
        assert 'Published <time datetime="2025-05-01T09:00:00+00:00">1 May 2025</time>' in html
        assert "Updated" not in html  # saved today, but its words never changed
        assert "1 min read" in html

    def test_machine_readable_dates_are_whole_seconds(self, client):
        # Stored dates carry microseconds; HTML allows at most three fraction digits.
        article = ArticleFactory(
            published_at=datetime(2025, 5, 1, 9, 0, 0, 123456, tzinfo=UTC),
            substantive_change_at=datetime(2025, 6, 2, 10, 0, 0, 654321, tzinfo=UTC),
        )
        html = html_of(client, article.get_absolute_url())
        stamps = re.findall(r'<time datetime="([^"]*)"', html)
        stamps += re.findall(r'property="article:\w+_time" content="([^"]*)"', html)
        assert len(stamps) == 4, stamps  # published, updated, and the two social tags
        for stamp in stamps:
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", stamp), stamp
        assert 'datetime="2025-05-01T09:00:00+00:00"' in html

    def test_exactly_one_h1_and_the_landmarks(self, client):
        article = ArticleFactory()
        SectionFactory(article=article)
        html = html_of(client, article.get_absolute_url())
        assert html.count("<h1") == 1
        for landmark in (
            '<header class="site-header"',
            '<main id="main_content"',
            "<footer",
            "<aside",
        ):
            assert landmark in html
        assert '<a class="skip-link" href="#main_content">' in html
        assert '<nav class="site-nav" aria-label="Main">' in html

    def test_ids_stay_unique_whatever_the_headings(self, client):
        article = ArticleFactory(tags=["x"])
        ArticleFactory(tags=["x"])
        headings = ["Main", "Main content", "Toc title", "Related title", "Article title"]
        for position, heading in enumerate(headings, start=1):
            SectionFactory(article=article, position=position, heading=heading, anchor="")
        ids = re.findall(r'\sid="([^"]+)"', html_of(client, article.get_absolute_url()))
        assert len(ids) == len(set(ids)) and "main" in ids and "main_content" in ids

    def test_tags_link_to_tag_pages(self, client):
        article = ArticleFactory(tags=["sleep", "Self Care"])
        html = html_of(client, article.get_absolute_url())
        assert '<a href="/tags/sleep/">sleep</a>' in html
        assert '<a href="/tags/self-care/">Self Care</a>' in html

    def test_related_by_most_shared_tags_then_newest_never_itself_or_unpublished(self, client):
        article = ArticleFactory(tags=["a", "b", "c"])
        one_tag_new = ArticleFactory(title="One tag, new", tags=["a"], published_at=days_ago(2))
        two_tags_old = ArticleFactory(
            title="Two tags, old", tags=["a", "b"], published_at=days_ago(40)
        )
        one_tag_old = ArticleFactory(title="One tag, old", tags=["c"], published_at=days_ago(30))
        ArticleFactory(title="Hidden draft", tags=["a", "b", "c"], draft=True)
        ArticleFactory(title="Hidden scheduled", tags=["a", "b", "c"], scheduled=True)
        # The one just before it (its "Previous article") shares no tag.
        ArticleFactory(title="Unrelated", tags=["z"], published_at=days_ago(1) - HOUR)
        assert related_titles(html_of(client, article.get_absolute_url())) == [
            two_tags_old.title,
            one_tag_new.title,
            one_tag_old.title,
        ]

    def test_the_end_of_an_article_never_shows_an_article_twice(self, client):
        """Previous/next are not offered again as related (nor the article itself)."""
        older = ArticleFactory(title="Older, related", tags=["a"], published_at=days_ago(10))
        article = ArticleFactory(tags=["a"], published_at=days_ago(5))
        newer = ArticleFactory(title="Newer, related", tags=["a"], published_at=days_ago(1))
        other = ArticleFactory(title="Only related", tags=["a"], published_at=days_ago(30))
        html = html_of(client, article.get_absolute_url())
        assert f'rel="prev" href="{older.get_absolute_url()}"' in html
        assert f'rel="next" href="{newer.get_absolute_url()}"' in html
        assert related_titles(html) == [other.title]

    def test_previous_and_next_articles(self, client):
        older = ArticleFactory(title="The older one", published_at=days_ago(10))
        article = ArticleFactory(published_at=days_ago(5))
        newer = ArticleFactory(title="The newer one", published_at=days_ago(1))
        ArticleFactory(title="Draft between", draft=True)
        html = html_of(client, article.get_absolute_url())
        assert f'rel="prev" href="{older.get_absolute_url()}"' in html
        assert f'rel="next" href="{newer.get_absolute_url()}"' in html
        first = html_of(client, older.get_absolute_url())
        assert 'rel="prev"' not in main_of(first) and 'rel="next"' in main_of(first)

    def test_articles_published_at_the_same_moment_still_have_an_order(self, client):
        moment = days_ago(3)
        a, b, c = (ArticleFactory(published_at=moment) for _ in range(3))
        html = html_of(client, b.get_absolute_url())
        assert f'rel="prev" href="{a.get_absolute_url()}"' in html
        assert f'rel="next" href="{c.get_absolute_url()}"' in html

    @pytest.mark.parametrize("trait", ["draft", "scheduled"])
    def test_unpublished_articles_answer_404(self, client, trait):
        article = ArticleFactory(**{trait: True})
        assert client.get(article.get_absolute_url()).status_code == 404

    def test_unknown_slug_answers_404_in_the_site_look(self, client):
        html = html_of(client, reverse("articles:detail", kwargs={"slug": "nope"}), status=404)
        assert "couldn’t find that page" in html and 'class="site-header"' in html
        assert '<meta name="robots" content="noindex">' in html

    def test_section_html_is_the_sanitised_body(self, client):
        article = ArticleFactory()
        SectionFactory(article=article, body='<p>Hi <script>alert(1)</script><a href="x">y</a></p>')
        html = html_of(client, article.get_absolute_url())
        assert "<script>alert(1)" not in html
        assert "<p>Hi" in html


class TestSeo:
    def test_article_head_has_title_description_canonical_and_social_cards(self, client):
        article = ArticleFactory(title="Calm & clear", standfirst='Breathe "slowly".')
        html = html_of(client, article.get_absolute_url() + "?utm_source=feed")
        head = html[: html.index("</head>")]
        assert "<title>Calm &amp; clear · Happy Inner Self</title>" in head
        assert '<meta name="description" content="Breathe &quot;slowly&quot;.">' in head
        url = f"http://testserver{article.get_absolute_url()}"
        assert f'<link rel="canonical" href="{url}">' in head
        assert f'<meta property="og:url" content="{url}">' in head
        assert '<meta property="og:type" content="article">' in head
        assert '<meta property="og:title" content="Calm &amp; clear">' in head
        assert '<meta name="twitter:card" content="summary">' in head  # no cover

    def test_article_json_ld_and_breadcrumbs(self, client):
        author = UserFactory(first_name="Ada", last_name="Calm")
        article = ArticleFactory(title="A </script> title", author=author, tags=["sleep"])
        html = html_of(client, article.get_absolute_url())
        assert "A </script> title" not in html  # escaped in the page and in the JSON-LD
        data, crumbs = json_ld(html)
        assert data["@type"] == "Article"
        assert data["headline"] == "A </script> title"
        assert data["author"] == {
            "@type": "Person",
            "name": "Ada Calm",
            "url": "http://testserver/",  # author pages do not exist yet (reading.author_url)
        }
        assert data["datePublished"] == article.published_at.isoformat()
        assert data["mainEntityOfPage"]["@id"].endswith(article.get_absolute_url())
        assert crumbs["@type"] == "BreadcrumbList"
        items = crumbs["itemListElement"]
        assert [i["name"] for i in items] == ["Happy Inner Self", "sleep", "A </script> title"]
        assert items[1]["item"] == "http://testserver/tags/sleep/"

    def test_list_pages_canonical_keeps_only_the_page_number(self, client, settings):
        settings.ARTICLES_PER_PAGE = 1
        ArticleFactory(), ArticleFactory()
        assert '<link rel="canonical" href="http://testserver/">' in html_of(client, "/?x=1")
        page_two = html_of(client, "/?page=2&x=1")
        assert '<link rel="canonical" href="http://testserver/?page=2">' in page_two

    def test_search_pages_are_not_indexed(self, client):
        assert '<meta name="robots" content="noindex, follow">' in html_of(client, "/search/?q=a")


class TestIssue18:
    """Breadcrumbs, structured data and dates a reader (or a validator) can trust."""

    def test_updated_only_when_an_editor_changed_the_words(self, client):
        published = datetime(2025, 5, 1, 9, tzinfo=UTC)
        article = ArticleFactory(published_at=published)
        html = html_of(client, article.get_absolute_url())
        assert "Updated" not in html  # the row was saved today: not an update
        assert '<meta property="article:modified_time" content="2025-05-01T09:00:00+00:00">' in html
        (data, _) = json_ld(html)
        assert data["dateModified"] == data["datePublished"] == published.isoformat()

        revised = datetime(2025, 9, 3, 14, tzinfo=UTC)
        # An editor's change marked as substantive: what readers see as "Updated".
        type(article).objects.filter(pk=article.pk).update(
            revised_at=revised, substantive_change_at=revised
        )
        content_changed()
        html = html_of(client, article.get_absolute_url())
        assert 'Updated <time datetime="2025-09-03T14:00:00+00:00">3 September 2025</time>' in html
        assert '<meta property="article:modified_time" content="2025-09-03T14:00:00+00:00">' in html
        assert json_ld(html)[0]["dateModified"] == revised.isoformat()

    def test_breadcrumb_and_json_ld_follow_the_primary_tag(self, client):
        article = ArticleFactory(title="Twitches", tags=["Botox", "Face twitching", "Stress"])
        face = article.tags.get(name="Face twitching")
        type(article).objects.filter(pk=article.pk).update(primary_tag=face)
        html = html_of(client, article.get_absolute_url())
        crumb = re.search(r'<nav class="breadcrumb".*?</nav>', html, re.S)[0]
        assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', crumb) == [
            ("/", "Home"),
            ("/tags/face-twitching/", "Face twitching"),
        ]
        items = json_ld(html)[1]["itemListElement"]
        assert [i["name"] for i in items] == ["Happy Inner Self", "Face twitching", "Twitches"]
        assert items[1]["item"] == "http://testserver/tags/face-twitching/"

    def test_without_a_primary_tag_the_most_used_tag_leads(self, client):
        article = ArticleFactory(title="Twitches", tags=["Botox", "Stress"])
        ArticleFactory(tags=["Stress"]), ArticleFactory(tags=["Stress"])
        ArticleFactory(tags=["Botox"], draft=True), ArticleFactory(tags=["Botox"], draft=True)
        html = html_of(client, article.get_absolute_url())
        crumb = re.search(r'<nav class="breadcrumb".*?</nav>', html, re.S)[0]
        assert ">Stress</a>" in crumb and "Botox" not in crumb
        # A primary tag the article no longer carries is not followed.
        botox = article.tags.get(name="Botox")
        article.tags.remove(botox)
        type(article).objects.filter(pk=article.pk).update(primary_tag=botox)
        content_changed()
        crumb = re.search(
            r'<nav class="breadcrumb".*?</nav>', html_of(client, article.get_absolute_url()), re.S
        )[0]
        assert ">Stress</a>" in crumb and "Botox" not in crumb

    def test_related_articles_from_the_primary_tag_come_first(self, client):
        article = ArticleFactory(tags=["Sleep", "Stress", "Calm"], published_at=days_ago(5))
        type(article).objects.filter(pk=article.pk).update(
            primary_tag=article.tags.get(name="Sleep")
        )
        ArticleFactory(title="Two others, newest", tags=["Stress", "Calm"])
        ArticleFactory(title="Primary, older", tags=["Sleep"], published_at=days_ago(90))
        for days in (4, 6):  # its previous and next articles, unrelated
            ArticleFactory(tags=["Other"], published_at=days_ago(days))
        html = html_of(client, article.get_absolute_url())
        related = html[html.index('id="related_title"') :]
        assert related.index("Primary, older") < related.index("Two others, newest")

    def test_json_ld_images_in_three_shapes_a_raster_logo_and_an_author_url(self, client, settings):
        author = UserFactory(first_name="Ada", last_name="Calm")
        article = ArticleFactory(
            author=author, cover=image_file(size=(2000, 1000)), cover_alt="A teal field"
        )
        data = json_ld(html_of(client, article.get_absolute_url()))[0]
        shapes = [(image["width"], image["height"]) for image in data["image"]]
        assert shapes == [(1200, 675), (1200, 900), (1000, 1000)]
        for image in data["image"]:
            path = image["url"].removeprefix("http://testserver")
            assert client.get(path).status_code == 404  # media are served by the web server
            settings.SERVE_MEDIA = True
            assert client.get(path)["Content-Type"] == "image/jpeg"
            settings.SERVE_MEDIA = False
        logo = data["publisher"]["logo"]
        assert logo["url"].endswith(".png") and (logo["width"], logo["height"]) == (512, 512)
        with Image.open(finders.find("logo.png")) as png:
            assert png.format == "PNG" and png.size == (512, 512)
        assert (
            client.get(data["author"]["url"].removeprefix("http://testserver")).status_code == 200
        )


class TestMedicalReview:
    """'Medically reviewed by …' beside the dates, and in the page's structured data, only
    while the review covers the words readers see."""

    @pytest.fixture
    def reviewed_article(self, db):
        article = ArticleFactory(
            health_content=True, published_at=datetime(2026, 4, 7, 9, tzinfo=UTC)
        )
        SectionFactory(article=article, position=1, heading="What a twitch is")
        doctor = ReviewerFactory(name="Dr Amira Haddad", credentials="MD, neurologist")
        return services.article_review_record(
            article=article, reviewer=doctor, reviewed_on=date(2026, 4, 3)
        )

    def test_the_page_names_the_reviewer_their_credentials_and_the_day(
        self, client, reviewed_article
    ):
        html = html_of(client, reviewed_article.get_absolute_url())
        start = html.index('<p class="byline">')
        byline = html[start : html.index("</p>", start)]
        page = reviewed_article.reviewer.get_absolute_url()
        assert (
            f'Medically reviewed by <a class="byline__reviewer" href="{page}">Dr Amira Haddad</a>, '
            'MD, neurologist on <time datetime="2026-04-03">3 April 2026</time>'
        ) in byline
        assert byline.index("Published") < byline.index("Medically reviewed")

    def test_json_ld_is_a_medical_web_page_reviewed_by_a_person(self, client, reviewed_article):
        url = f"http://testserver{reviewed_article.get_absolute_url()}"
        data, _ = json_ld(html_of(client, reviewed_article.get_absolute_url()))
        assert data["@type"] == "Article"
        page = data["mainEntityOfPage"]
        assert page["@type"] == "MedicalWebPage"
        assert page["@id"] == url
        assert page["lastReviewed"] == "2026-04-03"
        assert page["reviewedBy"] == {
            "@type": "Person",
            "name": "Dr Amira Haddad",
            "url": f"http://testserver{reviewed_article.reviewer.get_absolute_url()}",
            "hasCredential": {
                "@type": "EducationalOccupationalCredential",
                "name": "MD, neurologist",
            },
        }

    def test_an_edit_after_the_review_removes_the_claim(self, client, reviewed_article):
        section = reviewed_article.sections.get()
        section.body = "<p>Take 50 mg, not 5.</p>"
        section.save()
        services.article_refresh_derived(article_id=reviewed_article.pk)  # as on commit
        content_changed()
        html = html_of(client, reviewed_article.get_absolute_url())
        assert "Medically reviewed by" not in html
        page = reviewed_article.reviewer.get_absolute_url()
        assert (
            "An earlier version was medically reviewed by "
            f'<a class="byline__reviewer" href="{page}">Dr Amira Haddad</a>, MD, neurologist on '
            '<time datetime="2026-04-03">'
        ) in html
        page = json_ld(html)[0]["mainEntityOfPage"]
        assert page == {"@type": "MedicalWebPage", "@id": page["@id"]}  # no review claimed

    def test_an_article_that_is_not_health_content_is_a_plain_web_page(self, client):
        article = ArticleFactory()
        html = html_of(client, article.get_absolute_url())
        assert "reviewed" not in main_of(html)
        assert json_ld(html)[0]["mainEntityOfPage"]["@type"] == "WebPage"

    def test_a_minor_edit_does_not_change_updated(self, client, editor):
        from tests.articles.test_admin_editing import form_of

        article = ArticleFactory(author=editor, published_at=datetime(2025, 5, 1, 9, tzinfo=UTC))
        SectionFactory(article=article, position=1)
        services.article_text_revised(
            article=article, substantive=True, at=datetime(2025, 9, 3, 14, tzinfo=UTC)
        )
        client.force_login(editor)
        data = form_of(article, status="published", published_at=article.published_at)
        data["standfirst"] = "A typo fixed in the summary."
        assert client.post(f"/admin/articles/article/{article.pk}/change/", data).status_code == 302
        client.logout()
        content_changed()
        html = html_of(client, article.get_absolute_url())
        assert "A typo fixed" in html
        assert 'Updated <time datetime="2025-09-03T14:00:00+00:00">3 September 2025</time>' in html
        assert json_ld(html)[0]["dateModified"] == "2025-09-03T14:00:00+00:00"

    def test_new_credentials_on_the_profile_show_at_once(
        self, client, reviewed_article, commit_callbacks
    ):
        html_of(client, reviewed_article.get_absolute_url())  # kept whole now
        doctor = reviewed_article.reviewer
        doctor.credentials = "MD, PhD, neurologist"
        commit_callbacks(doctor.save)
        html = html_of(client, reviewed_article.get_absolute_url())
        assert "Dr Amira Haddad</a>, MD, PhD, neurologist on" in html
