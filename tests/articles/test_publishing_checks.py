"""The checks before publishing, one by one: each finds its problem, and stays quiet without it."""

import pytest

from articles import publishing_checks as checks
from articles.models import Article
from articles.publishing_checks import (
    ArticleDraft,
    Check,
    Level,
    PublishingBlocked,
    SectionDraft,
    article_check_before_publishing,
    article_findings,
    findings_for,
)
from tests.factories import ArticleFactory, SectionFactory

GOOD_TITLE = "Five slow breaths before a difficult talk"  # 41 characters
GOOD_STANDFIRST = (
    "A small habit that steadies your voice and your heart, and leaves room to listen to "
    "the other person."
)  # 101 characters
PLAIN = "<p>Breathe in slowly. Hold it for a moment. Let it go, and feel your shoulders drop.</p>"


def section(body=PLAIN, *, heading="Start here", level=2, index=0) -> SectionDraft:
    return SectionDraft(heading=heading, level=level, body=body, index=index)


def draft(**fields) -> ArticleDraft:
    defaults = {
        "title": GOOD_TITLE,
        "standfirst": GOOD_STANDFIRST,
        "slug": "five-slow-breaths",
        "has_primary_tag": True,
        "sections": [section()],
    }
    return ArticleDraft(**(defaults | fields))


def found(check, **fields) -> list[checks.Finding]:
    return check(draft(**fields))


def test_a_good_draft_has_nothing_to_fix():
    findings = findings_for(draft())
    assert [f.check for f in findings if f.level != Level.INFO] == []
    assert {f.check for f in findings} == {Check.READING_EASE, Check.READING_TIME}


class TestLengths:
    def test_a_long_title_is_cut_in_search_results(self):
        (finding,) = found(checks.check_title_length, title="A" * 61)
        assert finding.field == "id_title"
        assert "61 characters" in finding.message and "60" in finding.message

    def test_a_short_title_says_too_little(self):
        assert found(checks.check_title_length, title="Breathe")
        assert found(checks.check_title_length, title="A" * 30) == []
        assert found(checks.check_title_length, title="A" * 60) == []

    def test_standfirst_length_for_search_results_and_social_cards(self):
        (long,) = found(checks.check_standfirst_length, standfirst="x" * 161)
        (short,) = found(checks.check_standfirst_length, standfirst="x" * 69)
        assert long.field == short.field == "id_standfirst"
        assert found(checks.check_standfirst_length, standfirst="x" * 70) == []
        assert found(checks.check_standfirst_length, standfirst="x" * 160) == []


class TestAltText:
    def test_a_cover_without_alt_text(self):
        (finding,) = found(checks.check_alt_text, has_cover=True, cover_alt="  ")
        assert finding.level == Level.ERROR
        assert finding.field == "id_cover_alt"
        assert found(checks.check_alt_text, has_cover=True, cover_alt="A lake at dawn") == []
        assert found(checks.check_alt_text, has_cover=False, cover_alt="") == []

    def test_an_image_in_a_body_without_alt_text(self):
        bodies = [section('<p><img src="/a.jpg"><img src="/b.jpg" alt="A lake"></p>', index=1)]
        (finding,) = found(checks.check_alt_text, sections=bodies)
        assert finding.field == "sections-1"
        assert "1 image in section 2" in finding.message
        described = [section('<p><img src="/b.jpg" alt="A lake"></p>')]
        assert found(checks.check_alt_text, sections=described) == []


class TestStructure:
    def test_the_first_section_must_be_a_heading(self):
        (finding,) = found(checks.check_headings, sections=[section(level=3)])
        assert finding.field == "id_sections-0-level"
        assert "subheading (H3) with no heading (H2)" in finding.message

    def test_a_subheading_under_a_heading_is_in_order(self):
        ordered = [section(level=2), section(level=3, index=1), section(level=3, index=2)]
        assert found(checks.check_headings, sections=ordered) == []

    def test_an_empty_section(self):
        sections = [section(), section("<p> </p>", heading="Later", index=1)]
        (finding,) = found(checks.check_empty_sections, sections=sections)
        assert finding.field == "sections-1"
        assert finding.message.startswith("Section 2 (“Later”) has a heading and no text")

    def test_a_primary_tag(self):
        (finding,) = found(checks.check_primary_tag, has_primary_tag=False)
        assert finding.field == "id_primary_tag"
        assert found(checks.check_primary_tag, has_primary_tag=True) == []


class TestLinks:
    def body_with(self, href: str) -> list[SectionDraft]:
        return [section(f'<p>Read <a href="{href}">this</a>.</p>')]

    def test_an_internal_link_to_an_unpublished_article(self):
        (finding,) = found(checks.check_internal_links, sections=self.body_with("/articles/gone/"))
        assert finding.field == "sections-0"
        assert "/articles/gone/" in finding.message

    def test_an_internal_link_to_a_published_article(self):
        sections = self.body_with("/articles/calm/#sleep")
        published = frozenset({"calm"})
        assert (
            found(checks.check_internal_links, sections=sections, published_slugs=published) == []
        )
        # Its own address is fine: it is being published.
        own = self.body_with("/articles/five-slow-breaths/")
        assert found(checks.check_internal_links, sections=own) == []

    def test_a_full_address_on_this_site_is_internal(self):
        assert checks.internal_slug("http://localhost/articles/calm/") == "calm"
        assert checks.internal_slug("https://elsewhere.org/articles/calm/") is None
        assert checks.internal_slug("/tags/calm/") is None

    @pytest.mark.parametrize(
        "href", ["example.org/page", "https://", "http://intranet", "https://exa mple.org"]
    )
    def test_a_malformed_external_link(self, href):
        (finding,) = found(checks.check_external_links, sections=self.body_with(href))
        assert finding.level == Level.ERROR
        assert finding.field == "sections-0"

    @pytest.mark.parametrize(
        "href", ["https://example.org/page", "http://localhost:8000/", "/tags/calm/", "#top"]
    )
    def test_a_well_formed_link(self, href):
        assert found(checks.check_external_links, sections=self.body_with(href)) == []


class TestReading:
    def test_syllables(self):
        assert [checks.syllables(w) for w in ["calm", "breathing", "beautiful", "created"]] == [
            1,
            2,
            4,
            2,
        ]

    def test_flesch_reading_ease(self):
        assert checks.flesch_reading_ease("The cat sat on the mat.") == pytest.approx(116.1, 0.01)
        assert checks.flesch_reading_ease("") is None

    def test_hard_text_is_a_warning(self):
        hard = (
            "<p>Notwithstanding considerable methodological heterogeneity, contemporary "
            "psychophysiological investigations consistently demonstrate associations.</p>"
        )
        (finding,) = found(checks.check_reading_ease, sections=[section(hard)])
        assert finding.level == Level.WARNING
        assert "very difficult" in finding.message
        (easy,) = found(checks.check_reading_ease)
        assert easy.level == Level.INFO

    def test_the_longest_sentences_are_named(self):
        long = " ".join(["word"] * 30) + ". " + " ".join(["other"] * 40) + ". Short one."
        findings = found(checks.check_long_sentences, sections=[section(f"<p>{long}</p>")])
        assert [f.message.split(" in ")[0] for f in findings] == [
            "A sentence of 40 words",
            "A sentence of 30 words",
        ]
        assert found(checks.check_long_sentences) == []

    def test_a_long_paragraph(self):
        wall = "<p>" + "Breathe. " * 151 + "</p><p>Short.</p>"
        (finding,) = found(checks.check_long_paragraphs, sections=[section(wall)])
        assert "151 words" in finding.message
        assert found(checks.check_long_paragraphs) == []

    def test_reading_time(self):
        body = "<p>" + "word " * 500 + "</p>"
        (finding,) = found(checks.check_reading_time, sections=[section(body)])
        assert finding.message.startswith("About 3 minutes to read")


class TestBlocking:
    def test_a_misspelt_check_name_stops_the_site_starting(self, settings):
        settings.PUBLISHING_CHECKS_BLOCK = ["alt-text", "headings"]
        (error,) = checks.block_setting_names()
        assert error.id == "articles.E001" and "alt-text" in error.msg
        settings.PUBLISHING_CHECKS_BLOCK = ["none"]
        assert checks.block_setting_names() == []

    def test_an_error_blocks_only_when_the_setting_names_it(self, settings):
        missing_alt = draft(has_cover=True, cover_alt="")
        settings.PUBLISHING_CHECKS_BLOCK = ["alt_text"]
        (error,) = [f for f in findings_for(missing_alt) if f.check == Check.ALT_TEXT]
        assert error.level == Level.ERROR and error.blocks
        settings.PUBLISHING_CHECKS_BLOCK = []
        (warning,) = [f for f in findings_for(missing_alt) if f.check == Check.ALT_TEXT]
        assert warning.level == Level.WARNING and not warning.blocks

    def test_warnings_never_block(self, settings):
        settings.PUBLISHING_CHECKS_BLOCK = [check.value for check in Check]
        findings = findings_for(draft(title="Short"))
        assert [f.check for f in findings if f.blocks] == []

    def test_errors_come_first(self, settings):
        settings.PUBLISHING_CHECKS_BLOCK = ["primary_tag"]
        findings = findings_for(draft(title="Short", has_primary_tag=False))
        assert [f.level for f in findings][:2] == [Level.ERROR, Level.WARNING]


@pytest.mark.django_db
class TestSavedArticles:
    def test_internal_links_are_looked_up(self, django_assert_num_queries):
        ArticleFactory(slug="live")
        ArticleFactory(slug="hidden", draft=True)
        article = ArticleFactory(draft=True)
        SectionFactory(
            article=article,
            body='<p><a href="/articles/live/">a</a> <a href="/articles/hidden/">b</a></p>',
        )
        # sections, source keys, published slugs, former addresses
        with django_assert_num_queries(4):
            findings = article_findings(article=article)
        links = [f.message for f in findings if f.check == Check.INTERNAL_LINKS]
        assert len(links) == 1 and "/articles/hidden/" in links[0]

    def test_publishing_is_refused_with_a_blocking_error(self, settings):
        settings.PUBLISHING_CHECKS_BLOCK = ["empty_sections"]
        article = ArticleFactory(draft=True)
        SectionFactory(article=article, body="")
        with pytest.raises(PublishingBlocked, match="has a heading and no text"):
            article_check_before_publishing(article=article)
        settings.PUBLISHING_CHECKS_BLOCK = []
        article_check_before_publishing(article=article)
        assert Article.objects.get().status == Article.Status.DRAFT
