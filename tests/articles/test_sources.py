"""An article's sources: normalised links, the admin inline, citations in the text and on
the page, refusing to remove a cited source, the checks before publishing, and import."""

import re
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from articles.content import ContentError, parse_import_document, sanitize_html
from articles.models import Article, Source
from articles.publishing_checks import Check, Level, article_findings
from articles.references import citation_marker, reference_normalise
from articles.services import source_delete
from tests.articles.admin_data import article_data, change_url
from tests.articles.page_reading import html_of, json_ld
from tests.factories import ArticleFactory, SectionFactory, SourceFactory

pytestmark = pytest.mark.django_db


def cite(*keys: str, text: str = "Stress makes eyelids twitch.") -> str:
    return f"<p>{text}{''.join(citation_marker(key) for key in keys)}</p>"


# -- links: normalised without any network call -----------------------------------------


@pytest.mark.parametrize(
    ("given", "doi"),
    [
        ({"doi": "10.1212/WNL.0000000000002560"}, "10.1212/WNL.0000000000002560"),
        ({"doi": "doi: 10.1000/xyz"}, "10.1000/xyz"),
        ({"doi": "https://doi.org/10.1000/a%2Fb"}, "10.1000/a/b"),
        ({"url": "https://dx.doi.org/10.1000/xyz"}, "10.1000/xyz"),
        ({"url": "10.1000/xyz"}, "10.1000/xyz"),
    ],
)
def test_a_doi_however_written_links_to_doi_org(given, doi):
    reference = reference_normalise(**given)
    assert (reference.doi, reference.url) == (doi, "")
    assert reference.link == f"https://doi.org/{doi}"


@pytest.mark.parametrize(
    "given",
    [
        {"pmid": "31234567"},
        {"pmid": "PMID: 31234567"},
        {"url": "PMID:31234567"},
        {"url": "31234567"},
        {"url": "https://pubmed.ncbi.nlm.nih.gov/31234567/"},
    ],
)
def test_a_pubmed_id_however_written_links_to_pubmed(given):
    reference = reference_normalise(**given)
    assert reference.pmid == "31234567"
    assert reference.link == "https://pubmed.ncbi.nlm.nih.gov/31234567/"


def test_a_doi_comes_first_and_pubmed_and_the_web_address_follow():
    reference = reference_normalise(url="https://example.org/paper", doi="10.1000/xyz", pmid="123")
    assert reference.links == [
        "https://doi.org/10.1000/xyz",
        "https://pubmed.ncbi.nlm.nih.gov/123/",
        "https://example.org/paper",
    ]


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "ftp://example.org/paper.pdf"}, "url"),
        ({"doi": "11.1000/xyz"}, "doi"),
        ({"pmid": "PMID: 12a"}, "pmid"),
    ],
)
def test_anything_but_a_web_address_doi_or_pmid_is_refused(given, field):
    with pytest.raises(ValidationError) as raised:
        reference_normalise(**given)
    assert field in raised.value.message_dict


def test_a_source_is_cleaned_to_its_canonical_identifiers_and_given_a_key():
    article = ArticleFactory()
    source = Source(
        article=article,
        authors="Wang A, Jankovic J",
        title="Hemifacial spasm",
        year=1998,
        url="https://pubmed.ncbi.nlm.nih.gov/9843077/",
    )
    source.full_clean(exclude={"key"})  # as the admin's form does when it is left empty
    source.save()
    assert (source.url, source.pmid, source.key) == ("", "9843077", "wang-1998")
    second = SourceFactory(article=article, key="", authors="Wang B", year=1998)
    assert second.key == "wang-1998-b"


@pytest.mark.parametrize(
    ("field", "value"),
    [("url", "javascript:alert(1)"), ("title", "x" * 10_000), ("authors", "y" * 10_000)],
)
def test_a_bad_or_huge_value_never_passes_validation(field, value):
    source = SourceFactory.build(article=ArticleFactory(), **{field: value})
    with pytest.raises(ValidationError) as raised:
        source.full_clean()
    assert field in raised.value.message_dict


def test_the_database_refuses_a_javascript_link_and_a_source_with_no_link():
    article = ArticleFactory()
    for fields in ({"url": "javascript:alert(1)", "doi": ""}, {"doi": ""}):
        with pytest.raises(IntegrityError), transaction.atomic():
            SourceFactory(article=article, **fields)


# -- citation markers -------------------------------------------------------------------


def test_the_sanitiser_keeps_a_citation_marker_and_drops_a_bad_key():
    kept = sanitize_html('<p>Hi<cite data-source="wang-1998" onclick="x()">wang-1998</cite></p>')
    assert kept == '<p>Hi<cite data-source="wang-1998">wang-1998</cite></p>'
    assert "data-source" not in sanitize_html('<p><cite data-source="a b&quot;>">x</cite></p>')


def page_with_sources(**article_fields):
    article = ArticleFactory(title="Twitching", **article_fields)
    SectionFactory(
        article=article,
        position=1,
        heading="Why faces twitch",
        body=cite("hallett-2008") + cite("wang-1998", "hallett-2008", text="Spasms."),
    )
    SectionFactory(article=article, position=2, heading="Botox", level=3, body=cite("hallett-2008"))
    wang = SourceFactory(
        article=article,
        position=1,
        key="wang-1998",
        authors="Wang A, Jankovic J",
        title="Hemifacial spasm: clinical findings and treatment",
        container="Muscle & Nerve",
        year=1998,
        doi="",
        pmid="9843077",
    )
    hallett = SourceFactory(
        article=article,
        position=2,
        key="hallett-2008",
        authors="Hallett M; Evinger C",
        title="Update on blepharospasm",
        container="Neurology",
        year=2008,
        doi="10.1212/01.wnl.0000327601.46315.85",
        pmid="18852443",
    )
    uncited = SourceFactory(
        article=article,
        position=3,
        key="nhs",
        authors="",
        title="Eyelid twitching",
        container="NHS",
        year=None,
        doi="",
        url="https://www.nhs.uk/conditions/eyelid-twitching/",
    )
    return article, [wang, hallett, uncited]


class TestThePage:
    def test_footnote_links_and_back_links_resolve_both_ways(self, client):
        article, _ = page_with_sources()
        html = html_of(client, article.get_absolute_url())
        ids = set(re.findall(r'\bid="([^"]+)"', html))
        fragments = re.findall(r'href="#([^"]+)"', html)
        assert fragments and not [f for f in fragments if f not in ids]
        # Numbered by the Sources list (position), whatever order the text cites them in.
        links = re.findall(r'<a href="#(source-\d)" id="(cite-\d-\d)"[^>]*>', html)
        assert links == [
            ("source-2", "cite-2-1"),
            ("source-1", "cite-1-1"),
            ("source-2", "cite-2-2"),
            ("source-2", "cite-2-3"),
        ]
        for source_id, cite_id in links:
            entry = html[html.index(f'<li id="{source_id}">') :]
            assert f'href="#{cite_id}"' in entry[: entry.index("</li>")]

    def test_headings_named_like_the_pages_own_parts_never_share_their_ids(self, client):
        article, _ = page_with_sources()
        for position, heading in enumerate(["Source 1", "Cite 2 1", "Sources_title"], 10):
            SectionFactory(article=article, position=position, heading=heading)
        html = html_of(client, article.get_absolute_url())
        ids = re.findall(r'\bid="([^"]+)"', html)
        assert len(ids) == len(set(ids))
        # The footnote still lands on its source, and the contents on the heading.
        assert '<li id="source-1">' in html
        assert '<h2 id="section-source-1">Source 1</h2>' in html
        assert 'href="#section-source-1"' in html

    def test_each_back_link_says_where_it_goes(self, client):
        article, _ = page_with_sources()
        html = html_of(client, article.get_absolute_url())
        assert 'href="#cite-2-3" aria-label="Back to citation 3 in “Botox”"' in html
        assert 'href="#cite-1-1" aria-label="Back to citation 1 in “Why faces twitch”"' in html
        assert 'aria-describedby="sources_title"' in html
        assert '<h2 id="sources_title" class="sources__title">Sources</h2>' in html

    def test_the_sources_list_shows_each_reference_with_its_link(self, client):
        article, _ = page_with_sources()
        html = html_of(client, article.get_absolute_url())
        sources = html[html.index('<section class="sources"') :]
        sources = sources[: sources.index("</section>")]
        assert sources.count("<li id=") == 3
        assert "Hemifacial spasm: clinical findings and treatment" in sources
        assert 'href="https://pubmed.ncbi.nlm.nih.gov/9843077/"' in sources
        assert 'href="https://doi.org/10.1212/01.wnl.0000327601.46315.85"' in sources
        assert 'href="https://www.nhs.uk/conditions/eyelid-twitching/"' in sources
        assert "data-source" not in html  # every marker became a footnote link

    def test_json_ld_citation_field_by_field(self, client):
        article, _ = page_with_sources()
        data = json_ld(html_of(client, article.get_absolute_url()))[0]
        wang, hallett, nhs = data["citation"]
        assert wang == {
            "@type": "CreativeWork",
            "name": "Hemifacial spasm: clinical findings and treatment",
            "url": "https://pubmed.ncbi.nlm.nih.gov/9843077/",
            "author": [
                {"@type": "Person", "name": "Wang A"},
                {"@type": "Person", "name": "Jankovic J"},
            ],
            "isPartOf": {"@type": "CreativeWork", "name": "Muscle & Nerve"},
            "datePublished": "1998",
        }
        assert hallett["url"] == "https://doi.org/10.1212/01.wnl.0000327601.46315.85"
        assert hallett["sameAs"] == ["https://pubmed.ncbi.nlm.nih.gov/18852443/"]
        assert [a["name"] for a in hallett["author"]] == ["Hallett M", "Evinger C"]
        assert nhs == {
            "@type": "CreativeWork",
            "name": "Eyelid twitching",
            "url": "https://www.nhs.uk/conditions/eyelid-twitching/",
            "isPartOf": {"@type": "CreativeWork", "name": "NHS"},
        }

    def test_an_article_without_sources_has_no_sources_list_or_citation(self, client):
        article = ArticleFactory()
        SectionFactory(article=article)
        html = html_of(client, article.get_absolute_url())
        assert 'class="sources"' not in html
        assert "citation" not in json_ld(html)[0]

    def test_a_marker_naming_no_source_shows_nothing(self, client):
        article = ArticleFactory()
        SectionFactory(article=article, body=cite("gone-2001", text="Calm."))
        html = html_of(client, article.get_absolute_url())
        assert "<p>Calm.</p>" in html and "gone-2001" not in html

    def test_an_edited_source_replaces_the_kept_text_at_once(self, client, commit_callbacks):
        article, (wang, *_) = page_with_sources()
        assert "Hemifacial spasm: clinical" in html_of(client, article.get_absolute_url())
        wang.title = "Hemifacial spasm revisited"
        commit_callbacks(wang.save)
        html = html_of(client, article.get_absolute_url())
        assert "Hemifacial spasm revisited" in html and "spasm: clinical" not in html

    def test_a_citation_key_is_not_counted_as_words_or_searched(self, commit_callbacks):
        article = commit_callbacks(ArticleFactory, standfirst="Short.")
        commit_callbacks(SectionFactory, article=article, body=cite("zebracorn-2020", text="A"))
        assert not Article.objects.filter(search_vector="zebracorn").exists()


# -- the admin ------------------------------------------------------------------------


class TestAdmin:
    def test_an_editor_adds_sources_numbered_in_the_order_typed(self, editor_client):
        article = ArticleFactory(draft=True)
        response = editor_client.post(
            change_url(article),
            article_data(
                title=article.title,
                slug=article.slug,
                standfirst=article.standfirst,
                sources=[
                    {
                        "position": "2",
                        "authors": "Wang A",
                        "year": "1998",
                        "title": "Second",
                        "url": "PMID: 9843077",
                    },
                    {
                        "position": "1",
                        "authors": "Smith J",
                        "year": "2020",
                        "title": "First",
                        "doi": "https://doi.org/10.1000/xyz",
                    },
                ],
            ),
        )
        assert response.status_code == 302, response.context["inline_admin_formsets"]
        first, second = article.sources.order_by("position")
        assert (first.title, first.position, first.doi, first.key) == (
            "First",
            1,
            "10.1000/xyz",
            "smith-2020",
        )
        assert (second.title, second.position, second.pmid, second.url) == (
            "Second",
            2,
            "9843077",
            "",
        )

    def test_a_javascript_link_is_a_form_error(self, editor_client):
        article = ArticleFactory(draft=True)
        response = editor_client.post(
            change_url(article),
            article_data(
                title=article.title,
                slug=article.slug,
                standfirst=article.standfirst,
                sources=[{"title": "Bad", "url": "javascript:alert(1)"}],
            ),
        )
        assert response.status_code == 200
        assert "Enter a web address starting http:// or https://." in response.content.decode()
        assert not article.sources.exists()

    def test_removing_a_cited_source_is_refused_naming_the_sections(self, editor_client):
        article, (wang, hallett, nhs) = page_with_sources(draft=True)
        sections = list(article.sections.order_by("position"))
        data = article_data(
            title=article.title,
            slug=article.slug,
            standfirst=article.standfirst,
            existing=sections,
            existing_sources=[wang, (hallett, {"DELETE": "on"}), nhs],
        )
        response = editor_client.post(change_url(article), data)
        assert response.status_code == 200
        assert (
            "The source “Update on blepharospasm” is cited in “Why faces twitch”, “Botox”: "
            "remove its citations there first" in response.content.decode()
        )
        assert article.sources.count() == 3

    def test_an_uncited_source_or_one_whose_citations_go_with_it_is_removed(self, editor_client):
        article, (wang, hallett, nhs) = page_with_sources(draft=True)
        sections = list(article.sections.order_by("position"))
        data = article_data(
            title=article.title,
            slug=article.slug,
            standfirst=article.standfirst,
            existing=[(sections[0], {"body": "<p>No citation now.</p>"}), sections[1]],
            existing_sources=[(wang, {"DELETE": "on"}), hallett, (nhs, {"DELETE": "on"})],
        )
        response = editor_client.post(change_url(article), data)
        assert response.status_code == 302
        assert list(article.sources.values_list("key", flat=True)) == ["hallett-2008"]

    def test_renaming_a_cited_sources_key_is_refused(self, editor_client):
        article, (wang, hallett, nhs) = page_with_sources(draft=True)
        data = article_data(
            title=article.title,
            slug=article.slug,
            standfirst=article.standfirst,
            existing=list(article.sections.order_by("position")),
            existing_sources=[(wang, {"key": "wang-a-1998"}), hallett, (nhs, {"key": "nhs-uk"})],
        )
        response = editor_client.post(change_url(article), data)
        assert response.status_code == 200
        assert "is cited in “Why faces twitch”" in response.content.decode()
        assert sorted(article.sources.values_list("key", flat=True)) == [
            "hallett-2008",
            "nhs",
            "wang-1998",
        ]

    def test_the_change_form_shows_the_sources_inline(self, editor_client):
        article, _ = page_with_sources(draft=True)
        page = editor_client.get(change_url(article)).content.decode()
        assert 'id="sources-group"' in page
        assert 'value="hallett-2008"' in page


def test_the_service_refuses_to_delete_a_cited_source():
    article, (wang, hallett, nhs) = page_with_sources()
    with pytest.raises(ValidationError) as raised:
        source_delete(source=hallett)
    assert "cited in “Why faces twitch”, “Botox”" in raised.value.messages[0]
    source_delete(source=nhs)
    assert article.sources.count() == 2


# -- checks before publishing ------------------------------------------------------------


def test_a_citation_without_its_source_is_an_error_that_blocks_publishing():
    article = ArticleFactory(draft=True)
    SectionFactory(article=article, heading="Why", body=cite("ghost-2000"))
    findings = [f for f in article_findings(article=article) if f.check == Check.CITATIONS]
    assert [(f.level, f.field) for f in findings] == [(Level.ERROR, "sections-0")]
    assert "ghost-2000" in findings[0].message
    assert findings[0].blocks


def test_a_health_article_without_sources_is_a_warning():
    article = ArticleFactory(health_content=True)
    SectionFactory(article=article)
    checks = {f.check: f.level for f in article_findings(article=article)}
    assert checks[Check.HEALTH_SOURCES] == Level.WARNING
    SourceFactory(article=article)
    assert Check.HEALTH_SOURCES not in {f.check for f in article_findings(article=article)}
    other = ArticleFactory(health_content=False)
    assert Check.HEALTH_SOURCES not in {f.check for f in article_findings(article=other)}


def test_publishing_with_a_citation_of_no_source_is_refused_in_the_admin(editor_client):
    article = ArticleFactory(draft=True, tags=["calm"])
    article.primary_tag = article.tags.get()
    article.save()
    section = SectionFactory(article=article, heading="Why", body=cite("ghost-2000"))
    data = article_data(
        title=article.title,
        slug=article.slug,
        standfirst=article.standfirst,
        status="published",
        primary_tag=str(article.primary_tag_id),
        tags=["calm"],
        existing=[section],
    )
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 200
    assert "ghost-2000" in response.content.decode()
    assert Article.objects.get(pk=article.pk).status == "draft"


# -- import ---------------------------------------------------------------------------

DOCUMENT = """---
title: Twitching eyelids
standfirst: Why eyelids twitch, and what helps.
status: published
sources:
  - key: wang-1998
    authors: Wang A, Jankovic J
    title: "Hemifacial spasm: clinical findings and treatment"
    journal: Muscle & Nerve
    year: 1998
    pmid: "PMID: 9843077"
  - key: aao
    title: Eyelid twitching
    publisher: American Academy of Ophthalmology
    url: https://www.aao.org/eye-health/diseases/what-is-eyelid-twitching
---

## Why it happens

Stress and tiredness.[^aao] Sometimes a spasm.[^wang-1998][^aao]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "twitching.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_imported_article_shows_its_sources_cited_in_its_text(client, tmp_path):
    call_command("import_articles", str(write(tmp_path, DOCUMENT)), stdout=StringIO())
    article = Article.objects.get(slug="twitching-eyelids")
    assert [
        (s.position, s.key, s.pmid, s.container) for s in article.sources.order_by("position")
    ] == [
        (1, "wang-1998", "9843077", "Muscle & Nerve"),
        (2, "aao", "", "American Academy of Ophthalmology"),
    ]
    html = html_of(client, article.get_absolute_url())
    assert re.findall(r'<a href="#(source-\d)" id="cite', html) == [
        "source-2",
        "source-1",
        "source-2",
    ]
    assert [c["name"] for c in json_ld(html)[0]["citation"]] == [
        "Hemifacial spasm: clinical findings and treatment",
        "Eyelid twitching",
    ]


def trust_of(article: Article) -> tuple:
    """What an import says about who wrote and checked an article, and on what sources."""
    article = Article.objects.get(pk=article.pk)
    return (
        [b.profile.slug for b in article.bylines.select_related("profile").order_by("position")],
        (article.reviewer.slug, article.reviewer.credentials, article.reviewed_at),
        list(
            article.sources.order_by("position").values_list(
                "position", "key", "authors", "title", "container", "year", "url", "doi", "pmid"
            )
        ),
    )


def test_the_import_round_trip_keeps_authors_reviewer_and_sources(client, tmp_path):
    trust = (
        "authors:\n  - name: Dr Ana Ruiz\n    credentials: MD, neurologist\n  - Sam Lee\n"
        "health_content: true\n"
        'reviewed_by: {name: Dr Lee Park, credentials: "MD, GP"}\n'
        "reviewed_at: 2026-04-03\n"
    )
    path = write(tmp_path, DOCUMENT.replace("status: published\n", "status: published\n" + trust))
    call_command("import_articles", str(path), stdout=StringIO())
    article = Article.objects.get(slug="twitching-eyelids")
    first = trust_of(article)
    assert first[0] == ["dr-ana-ruiz", "sam-lee"]
    assert first[1] == ("dr-lee-park", "MD, GP", date(2026, 4, 3))
    assert [row[:2] for row in first[2]] == [(1, "wang-1998"), (2, "aao")]

    call_command("import_articles", str(path), stdout=StringIO())  # the same file again
    assert Article.objects.get().pk == article.pk
    assert trust_of(article) == first
    assert Article.objects.get().review_covers_text
    html = html_of(client, article.get_absolute_url())
    data = json_ld(html)[0]
    assert [person["name"] for person in data["author"]] == ["Dr Ana Ruiz", "Sam Lee"]
    assert data["mainEntityOfPage"]["reviewedBy"]["name"] == "Dr Lee Park"
    assert data["mainEntityOfPage"]["lastReviewed"] == "2026-04-03"
    assert len(data["citation"]) == 2
    assert re.findall(r'<a href="#(source-\d)" id="cite', html) == [
        "source-2",
        "source-1",
        "source-2",
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('pmid: "PMID: 9843077"', "url: javascript:alert(1)"), "web address"),
        (("[^aao] Sometimes", "[^nobody] Sometimes"), "[^nobody] cites no source"),
        (('title: "Hemifacial', 'title: "' + "x" * 10_000), "longer than 300"),
        (("  - key: aao\n", "  - key: Bad Key\n"), "needs a key"),
        (("  - key: aao\n", "  - key: wang-1998\n"), "used twice"),
        (("    year: 1998\n", "    year: soon\n"), "year must be"),
    ],
)
def test_a_bad_file_gets_a_clear_error(change, message, tmp_path):
    text = DOCUMENT.replace(*change)
    with pytest.raises(ContentError) as raised:
        parse_import_document(text)
    assert message in str(raised.value)
    with pytest.raises(CommandError):
        call_command(
            "import_articles", str(write(tmp_path, text)), stdout=StringIO(), stderr=StringIO()
        )
    assert not Article.objects.exists()


def test_a_bad_file_in_the_admin_import_page_is_reported_not_a_500(editor_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = DOCUMENT.replace("[^aao] Sometimes", "[^nobody] Sometimes").encode()
    response = editor_client.post(
        "/admin/articles/article/import/",
        {"files": [SimpleUploadedFile("twitching.md", bad, content_type="text/markdown")]},
    )
    assert response.status_code == 200
    assert "[^nobody] cites no source" in response.content.decode()
    assert not Article.objects.exists()


def test_the_demo_article_cites_at_least_three_sources(client):
    call_command("load_demo", stdout=StringIO())
    article = Article.objects.get(slug="face-twitching-mystery")
    html = html_of(client, article.get_absolute_url())
    cited = set(re.findall(r'<a href="#(source-\d+)" id="cite', html))
    assert len(cited) >= 3
    assert all(source.doi or source.pmid or source.url for source in article.sources.all())


def test_feeds_carry_the_text_without_citation_markers(client):
    article, _ = page_with_sources()
    feed = client.get("/feed/atom/").content.decode()
    assert "Stress makes eyelids twitch." in feed and article.title in feed
    assert "data-source" not in feed and "hallett-2008" not in feed


def test_a_scheduled_update_carries_the_sources_with_the_text():
    from django.utils import timezone

    from articles import scheduling

    article, _ = page_with_sources()
    update = scheduling.article_update_prepare(article=article, go_live_at=timezone.now())
    draft = update.draft
    assert list(draft.sources.values_list("key", flat=True)) == ["wang-1998", "hallett-2008", "nhs"]
    draft.sources.filter(key="nhs").delete()
    assert scheduling.article_update_apply(update_id=update.pk)
    assert list(article.sources.values_list("key", flat=True)) == ["wang-1998", "hallett-2008"]
