import pytest

from articles.content import ContentError, markdown_heading_in, sanitize_html, split_sections


@pytest.mark.parametrize(
    "dirty",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<p style="background:url(javascript:alert(1))">x</p>',
        "<svg><script>alert(1)</script></svg>",
        '<iframe src="https://evil.example"></iframe>',
        '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    ],
)
def test_sanitiser_strips_anything_that_could_run(dirty):
    clean = sanitize_html(dirty)
    for bad in ("<script", "onerror", "javascript:", "style=", "<iframe", "<svg", "data:", "<img"):
        assert bad not in clean.lower()


def test_sanitiser_keeps_the_allowed_formatting():
    html = (
        "<p><strong>b</strong> <em>i</em> <a href='https://example.org'>l</a></p>"
        "<ul><li>one</li></ul><ol><li>two</li></ol><blockquote><p>q</p></blockquote>"
    )
    clean = sanitize_html(html)
    for kept in ("<strong>", "<em>", 'href="https://example.org"', "<ul>", "<ol>", "<blockquote>"):
        assert kept in clean
    assert 'rel="noopener noreferrer"' in clean


@pytest.mark.parametrize(
    ("sent", "saved"),
    [
        # Within the site: the Referer tells the statistics which article a reader came from.
        ('<p><a href="/articles/sleep/">s</a></p>', '<p><a href="/articles/sleep/">s</a></p>'),
        (
            '<p><a href="/articles/sleep/" title="Sleep">s</a></p>',
            '<p><a href="/articles/sleep/" title="Sleep">s</a></p>',
        ),
        # Another site, even written without its scheme, never gets the address.
        (
            '<p><a href="//example.org/">e</a></p>',
            '<p><a href="//example.org/" rel="noopener noreferrer">e</a></p>',
        ),
        (
            '<p><a title="/x" href="https://example.org/">e</a></p>',
            '<p><a title="/x" href="https://example.org/" rel="noopener noreferrer">e</a></p>',
        ),
    ],
)
def test_only_links_to_other_sites_drop_the_referrer(sent, saved):
    assert sanitize_html(sent) == saved


def test_split_sections_nests_levels_and_converts_markdown():
    sections = split_sections("## One\n\nHello *there*.\n\n### One a\n\n- x\n- y\n\n## Two\n\nBye.")
    assert [(s.heading, s.level) for s in sections] == [("One", 2), ("One a", 3), ("Two", 2)]
    assert sections[0].body_html == "<p>Hello <em>there</em>.</p>"
    assert "<li>x</li>" in sections[1].body_html


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("Intro\n\n## One\n\nx", 1, "text before the first"),
        ("### Orphan\n\nx", 1, "### heading must follow"),
        ("## One\n\n# Title\n", 3, "use ## or ###"),
        ("", 1, "no ## sections"),
    ],
)
def test_split_sections_reports_the_line_of_a_problem(body, line, message):
    with pytest.raises(ContentError, match=message) as excinfo:
        split_sections(body)
    assert excinfo.value.line == line


def test_headings_inside_code_fences_are_text():
    sections = split_sections("## One\n\n```\n## not a heading\n```\n")
    assert len(sections) == 1


@pytest.mark.parametrize(
    ("sent", "saved"),
    [
        # What the editor sends for blank lines, and for a list it numbered itself.
        ("<p>One</p><p></p><p><br></p><p> &nbsp; </p><p>Two</p>", "<p>One</p><p>Two</p>"),
        ('<ol type="null" data-type="null"><li><p>a</p></li></ol>', "<ol><li><p>a</p></li></ol>"),
        ('<ol start="1" type="1" data-type="decimal"><li>a</li></ol>', "<ol><li>a</li></ol>"),
        ('<ol start="x" type="disc"><li>a</li></ol>', "<ol><li>a</li></ol>"),
        # Links from the link dialog with its Title left empty.
        (
            '<p><a href="https://example.org/" title="">guide</a></p>',
            '<p><a href="https://example.org/" rel="noopener noreferrer">guide</a></p>',
        ),
        # An empty list item or emphasis goes, and so does the list or paragraph it leaves.
        ("<ul><li><p></p></li></ul><p><strong> </strong></p>", ""),
    ],
)
def test_sanitiser_normalises_what_editors_leave_behind(sent, saved):
    assert sanitize_html(sent) == saved


def test_sanitiser_keeps_meaningful_list_numbering_and_titles():
    html = '<ol start="3" type="a"><li>c</li></ol><p><a href="https://x.org" title="Read">r</a></p>'
    clean = sanitize_html(html)
    assert '<ol start="3" type="a">' in clean and 'title="Read"' in clean


@pytest.mark.parametrize(
    ("html", "found"),
    [
        ("<p>Intro</p><p>## Sleep &amp; <strong>rest</strong></p>", ("Sleep & rest", 2)),
        ("<p>###&nbsp;Deeper</p>", ("Deeper", 3)),
        ("<p>#hashtags are text</p><p>So is a ## in the middle</p>", None),
    ],
)
def test_a_heading_typed_as_text_is_found(html, found):
    heading = markdown_heading_in(html)
    assert (heading and (heading.text, heading.level)) == found
