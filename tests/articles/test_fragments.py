"""Kept fragments: the parts of a page that are the same for every query, with slots."""

from articles import fragments
from articles.fragments import slot


def rendering(html: str):
    calls = []

    def render() -> str:
        calls.append(1)
        return html

    return render, calls


def test_a_rendering_is_kept_per_version_and_filled_by_name():
    render, calls = rendering(f"<title>{slot('q')}</title><input value='{slot('q')}'>{slot('n')}")
    assert fragments.filled("v1", "page", render, q="calm", n="3") == (
        "<title>calm</title><input value='calm'>3"
    )
    assert fragments.filled("v1", "page", render, q="sleep", n="1") == (
        "<title>sleep</title><input value='sleep'>1"
    )
    assert len(calls) == 1
    fragments.filled("v2", "page", render, q="calm", n="3")
    assert len(calls) == 2  # a new content version renders again


def test_other_slots_than_the_values_given_are_not_filled():
    render, _ = rendering(f"<p>{slot('q')}</p>")
    assert fragments.filled("v1", "a", render, q="x", n="1") is None
    assert fragments.filled("v1", "a", render) is None


def test_a_stray_mark_or_no_slot_is_never_used():
    # A title holding the mark, or a filter that cut a slot in two, must not be filled in.
    cut, _ = rendering(f"<p>{slot('query')[:4]}</p>")
    assert fragments.filled("v1", "cut", cut, query="x", que="x") is None
    plain, _ = rendering("<p>nothing of the query</p>")
    assert fragments.filled("v1", "plain", plain, q="x") is None
