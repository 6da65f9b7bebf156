"""Search that stays cheap for a query nobody has asked before.

PostgreSQL ranks each *word* (lexeme) once per content version: its matches, best first,
with `ts_rank` on the stored, GIN-indexed vector. Those lists are kept in this process, so
a new combination of known words costs a few big-int operations on the lists' bitmaps and
a walk down the shortest list, not a ranking of every match. A query's rank is the sum of
its words' ranks (exactly `ts_rank` for one word); ties go to the newer article, as before.

What the lists cannot answer (exact phrases, which need word positions) is asked of
PostgreSQL as a whole (`selectors.article_search_whole`). The snippet is cut here too, from
the article's plain text: the words whose stem is one of the query's are marked.
"""

from __future__ import annotations

import heapq
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, partial

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, QuerySet
from django.db.models.base import ModelState

from .models import Article

SEARCH_CONFIG = "english"

# ---------------------------------------------------------------------------
# The query: websearch syntax, parsed by PostgreSQL, read back as a tree

_TOKEN = re.compile(r"\s*(?:'((?:[^'\\]|''|\\.)*)'(:\S*)?|(<->|<\d+>)|([&|!()]))")


class Unsupported(Exception):
    """A query the word lists cannot answer (phrases, weights, prefixes)."""


@dataclass(frozen=True, slots=True)
class Node:
    op: str  # "term", "and", "or", "not"
    lexeme: str = ""
    children: tuple[Node, ...] = ()


def parse_tsquery(text: str) -> Node | None:
    """`'calm' & !'sleep'` (PostgreSQL's text form of a tsquery) → a tree; None if empty."""
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise Unsupported(text)
        lexeme, suffix, phrase, op = match.groups()
        if phrase or suffix:
            raise Unsupported(text)
        if lexeme is not None:
            tokens.append(("term", re.sub(r"''|\\(.)", lambda m: m.group(1) or "'", lexeme)))
        else:
            tokens.append((op, ""))
        pos = match.end()
    if not tokens:
        return None
    node, rest = _parse_or(tokens)
    if rest:
        raise Unsupported(text)
    return node


def _parse_or(tokens):
    return _parse_chain(tokens, "|", "or", _parse_and)


def _parse_and(tokens):
    return _parse_chain(tokens, "&", "and", _parse_not)


def _parse_chain(tokens, symbol: str, op: str, parse_part):
    """`part (symbol part)*`: one node for the parts joined by the operator."""
    node, tokens = parse_part(tokens)
    children = [node]
    while tokens and tokens[0][0] == symbol:
        node, tokens = parse_part(tokens[1:])
        children.append(node)
    return (children[0] if len(children) == 1 else Node(op, children=tuple(children))), tokens


def _parse_not(tokens):
    if not tokens:
        raise Unsupported("unexpected end")
    kind, value = tokens[0]
    if kind == "!":
        node, tokens = _parse_not(tokens[1:])
        return Node("not", children=(node,)), tokens
    if kind == "(":
        node, tokens = _parse_or(tokens[1:])
        if not tokens or tokens[0][0] != ")":
            raise Unsupported("unbalanced")
        return node, tokens[1:]
    if kind == "term":
        return Node("term", lexeme=value), tokens[1:]
    raise Unsupported(kind)


def lexemes_of(node: Node, *, positive: bool = True) -> set[str]:
    """The words a match must or may contain (not those it must lack)."""
    if node.op == "term":
        return {node.lexeme} if positive else set()
    if node.op == "not":
        return lexemes_of(node.children[0], positive=not positive)
    return set().union(*(lexemes_of(child, positive=positive) for child in node.children))


def _required(node: Node) -> set[str]:
    """Words every match contains: the walk can start from the shortest of their lists."""
    if node.op == "term":
        return {node.lexeme}
    if node.op == "and":
        return set().union(*(_required(child) for child in node.children))
    if node.op == "or":
        return set.intersection(*(_required(child) for child in node.children))
    return set()


# ---------------------------------------------------------------------------
# Word lists, kept per content version


@dataclass(frozen=True, slots=True)
class Postings:
    order: tuple[int, ...]  # article ids, best first
    rank: dict[int, float]
    # Bit n set: the nth newest published article matches. Set algebra on these is a few
    # hundred nanoseconds where sets of 10,000 ids take a third of a millisecond.
    mask: int

    @classmethod
    def made(cls, rows: list[tuple[int, float]], recency: dict[int, int]) -> Postings:
        bits = bytearray(len(recency) // 8 + 1)
        for pk, _ in rows:
            place = recency[pk]
            bits[place >> 3] |= 1 << (place & 7)
        return cls(
            order=tuple(pk for pk, _ in rows), rank=dict(rows), mask=int.from_bytes(bits, "little")
        )

    @property
    def best(self) -> float:
        return self.rank[self.order[0]] if self.order else 0.0


class _Kept:
    """This process's word lists for one content version, bounded in postings (LRU)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.version = None
        self.terms: OrderedDict[str, Postings] = OrderedDict()
        self.size = 0
        self.recency: dict[int, int] | None = None  # id → place by date, newest 0
        self.newest: tuple[int, ...] = ()
        self.rows: dict[int, tuple] = {}  # id → the columns a result shows
        self.rows_size = 0
        self.values: dict[object, object] = {}  # ids and ranks, one object each
        self.matches: dict[tuple[int, str], tuple] = {}  # (id, stem) → its words' places

    def reset_for(self, version) -> None:
        if version != self.version:
            self.version, self.terms, self.size, self.recency = version, OrderedDict(), 0, None
            self.rows, self.rows_size, self.values, self.matches = {}, 0, {}, {}

    def shared(self, value):
        return self.values.setdefault(value, value)

    def keep_rows(self, rows: dict[int, tuple]) -> None:
        """Result rows (title... plain text), bounded by the characters of text kept."""
        for pk, row in rows.items():
            if self.rows_size + len(row[5]) > _ROWS_TEXT_KEPT:
                self.rows, self.rows_size = {}, 0  # rarely: start again
            self.rows[pk] = row
            self.rows_size += len(row[5])

    def keep_matches(self, matches: dict[tuple[int, str], tuple]) -> None:
        if len(self.matches) + len(matches) > _MATCHES_KEPT:
            self.matches = {}  # rarely: start again
        self.matches.update(matches)

    def keep(self, lexeme: str, postings: Postings) -> None:
        limit = settings.ARTICLES_SEARCH_KEPT_POSTINGS
        if (replaced := self.terms.pop(lexeme, None)) is not None:  # made twice at once
            self.size -= len(replaced.order)
        self.terms[lexeme] = postings
        self.size += len(postings.order)
        while self.size > limit and len(self.terms) > 1:
            _, dropped = self.terms.popitem(last=False)
            self.size -= len(dropped.order)


# Result rows hold the article's plain text: about 4 MB of it per process at most.
_ROWS_TEXT_KEPT = 4_000_000
# Where a stem's words are in a result's text: a few places each (about 2 MB at most).
_MATCHES_KEPT = 20_000
_kept = _Kept()
# Stems do not change with the content: kept across versions, bounded.
_stems: dict[str, str] = {}
_STEMS_KEPT = 100_000
# What PostgreSQL's English stemmer makes of a word w ("" for a stop word).
_STEM_SQL = "coalesce((ts_lexize('english_stem', w))[1], '')"


def _remember_stems(pairs: Iterable[tuple[str, str]], *, count: int) -> None:
    """Keep these (word, stem) pairs, `count` of them, within the bound."""
    if len(_stems) + count > _STEMS_KEPT:
        _stems.clear()  # rarely (a flood of made-up words): start again
    _stems.update(pairs)


def _term_postings(lexemes: Iterable[str], version, recency: dict[int, int]) -> dict[str, Postings]:
    """The kept list of each word, ranking the missing ones (`recency` is `_recency`'s)."""
    with _kept.lock:
        _kept.reset_for(version)
        found = {}
        for lexeme in lexemes:
            if (postings := _kept.terms.get(lexeme)) is not None:
                _kept.terms.move_to_end(lexeme)
                found[lexeme] = postings
    for lexeme in set(lexemes) - found.keys():
        # Only articles in this version's published list (one published since has a
        # newer version, which makes new lists).
        rows = [row for row in term_matches(lexeme) if row[0] in recency]
        with _kept.lock:
            if _kept.version == version:
                # One int and one float object per distinct value, shared by every list:
                # about a third less memory than each row's own.
                rows = [(_kept.shared(pk), _kept.shared(rank)) for pk, rank in rows]
        postings = Postings.made(rows, recency)
        with _kept.lock:
            if _kept.version == version:
                _kept.keep(lexeme, postings)
        found[lexeme] = postings
    return found


def term_matches(lexeme: str) -> QuerySet:
    """(id, rank) of the published articles containing one word, best first."""
    query = SearchQuery(_quoted(lexeme), search_type="raw", config="simple")
    return (
        Article.objects.published()
        .filter(search_lexemes=query)
        .annotate(rank=SearchRank(F("search_lexemes"), query))
        .order_by("-rank", "-published_at", "-pk")
        .values_list("pk", "rank")
    )


def _quoted(lexeme: str) -> str:
    """A lexeme as tsquery input, taken as is (config "simple" only lower-cases)."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _recency(version) -> tuple[dict[int, int], tuple[int, ...]]:
    with _kept.lock:
        _kept.reset_for(version)
        if _kept.recency is not None:
            return _kept.recency, _kept.newest
    newest = tuple(
        Article.objects.published().order_by("-published_at", "-pk").values_list("pk", flat=True)
    )
    recency = {pk: place for place, pk in enumerate(newest)}
    with _kept.lock:
        if _kept.version == version:
            _kept.recency, _kept.newest = recency, newest
    return recency, newest


# ---------------------------------------------------------------------------
# Matching and ranking


class Ranked:
    """The matches of one query: an exact count, and the best `k` on demand."""

    def __init__(self, tree: Node, version) -> None:
        self.tree = tree
        self.recency, self.newest = _recency(version)
        words = lexemes_of(tree) | lexemes_of(tree, positive=False)
        self.words = _term_postings(words, version, self.recency)
        self.mask = self._match(tree)

    def _match(self, node: Node) -> int:
        if node.op == "term":
            return self.words[node.lexeme].mask
        if node.op == "not":
            return ((1 << len(self.newest)) - 1) & ~self._match(node.children[0])
        masks = [self._match(child) for child in node.children]
        found = masks[0]
        for mask in masks[1:]:
            found = found | mask if node.op == "or" else found & mask
        return found

    def __len__(self) -> int:
        return self.mask.bit_count()

    @cached_property
    def _bits(self) -> str:
        # "1" at place n when the nth newest article matches: a test is one string index.
        return f"{self.mask:b}"[::-1]

    def __contains__(self, pk: int) -> bool:
        place = self.recency.get(pk, len(self._bits))
        return place < len(self._bits) and self._bits[place] == "1"

    def match_ids(self, limit: int | None = None) -> list[int]:
        """The matches (the first `limit` of them), newest first."""
        bits, newest = self._bits, self.newest
        found, at = [], bits.find("1")
        while at != -1 and len(found) != limit:
            found.append(newest[at])
            at = bits.find("1", at + 1)
        return found

    def best(self, k: int) -> list[tuple[int, float]]:
        """The best `k` matches as (article id, rank), best first."""
        if k <= 0 or not self.mask:
            return []
        positive = [self.words[lexeme] for lexeme in sorted(lexemes_of(self.tree))]
        required = [self.words[lexeme] for lexeme in sorted(_required(self.tree))]
        if not positive:  # only exclusions: newest first
            return [(pk, 0.0) for pk in self.match_ids(limit=k)]
        if len(positive) == 1 and len(self) == len(positive[0].order):
            return [(pk, positive[0].rank[pk]) for pk in positive[0].order[:k]]
        recency, matches = self.recency, self
        ranks = [p.rank for p in positive]

        def key(pk: int) -> tuple[float, int]:
            return (-sum(rank.get(pk, 0.0) for rank in ranks), recency[pk])

        if not required:
            return [(pk, -key(pk)[0]) for pk in heapq.nsmallest(k, self.match_ids(), key=key)]
        # Walk the shortest required list, best first; stop once nothing further down can
        # beat the k-th kept (its own rank there plus the others' best is an upper bound).
        lead = min(required, key=lambda p: len(p.order))
        heap: list[tuple[float, int, int]] = []  # (rank, -recency, id): the worst on top
        for pk in lead.order:
            if len(heap) == k:
                # Added in the order `key` adds: rounding is monotonic, so still a bound.
                here = lead.rank[pk]
                bound = (sum(here if p is lead else p.best for p in positive), -recency[pk])
                if bound < heap[0][:2]:
                    break
            if pk not in matches:
                continue
            rank_, place = key(pk)
            entry = (-rank_, -place, pk)
            if len(heap) < k:
                heapq.heappush(heap, entry)
            elif entry[:2] > heap[0][:2]:
                heapq.heapreplace(heap, entry)
        return [(pk, rank) for rank, _, pk in sorted(heap, reverse=True)]


# ---------------------------------------------------------------------------
# The page of results


_PLAIN_WORDS = re.compile(r"[a-z]+(?: [a-z]+)*")


def parsed_query(text: str) -> str:
    """PostgreSQL's reading of web-search syntax (stemmed, stop words gone) as text.

    Plain words whose stems are known need no round trip: each is an "asciiword", which
    the english configuration stems with english_stem, as `_stems` holds; web-search
    syntax joins them with &. Anything else (quotes, -, "or", digits, accents) is read
    by PostgreSQL itself.
    """
    words = " ".join(text.lower().split())
    plain = bool(_PLAIN_WORDS.fullmatch(words)) and "or" not in (split := words.split(" "))
    if plain:
        stems = [_stems.get(word) for word in split]
        if None not in stems:
            return " & ".join(_quoted(stem) for stem in stems if stem)
    with connection.cursor() as cursor:
        # The words' stems come along, so the next query with them needs no round trip.
        cursor.execute(
            "SELECT websearch_to_tsquery(%s::regconfig, %s)::text, array("
            f"  SELECT array[w, {_STEM_SQL}] FROM unnest(%s::text[]) AS w)",
            [SEARCH_CONFIG, text, split if plain else []],
        )
        tsquery, stems = cursor.fetchone()
    _remember_stems(stems, count=len(stems))
    return tsquery


_PAGE_SQL = """
SELECT id, title, slug, published_at, reading_time, search_text
FROM articles_article WHERE id = ANY(%s)
"""
_PAGE_FIELDS = ["id", "title", "slug", "published_at", "reading_time"]


def _loaded(values: tuple) -> Article:
    """An Article with only `_PAGE_FIELDS` loaded, as `Article.from_db` would make it, but
    without `__init__` walking every field and sending signals (a twentieth of a new
    query's cost). Its one post_init receiver, the cover's dimensions, skips an instance
    whose cover is not loaded."""
    article = Article.__new__(Article)
    article.__dict__.update(zip(_PAGE_FIELDS, values, strict=True))
    article._state = ModelState()
    article._state.adding, article._state.db = False, connection.alias
    return article


def _kept_or_made(store: str, keys: list, make, keep) -> dict:
    """The values of `keys` in `_kept.<store>`, with the missing ones made by `make(missing)`
    and kept by `keep(made)`, unless the version changed meanwhile."""
    with _kept.lock:
        version, kept = _kept.version, getattr(_kept, store)
        found = {key: value for key in keys if (value := kept.get(key)) is not None}
    if missing := [key for key in keys if key not in found]:
        made = make(missing)
        with _kept.lock:
            if _kept.version == version:
                keep(made)
        found.update(made)
    return found


def _fetch_rows(ids: list[int]) -> dict[int, tuple]:
    with connection.cursor() as cursor:
        cursor.execute(_PAGE_SQL, [ids])
        return {row[0]: row for row in cursor.fetchall()}


def page_articles(ranked: Sequence[tuple[int, float]], lexemes: set[str]) -> list[Article]:
    """The articles for these (id, rank) pairs, in that order, each with a `snippet`.

    The ids come from this content version's lists, made from `published()`: a change to
    what readers may see starts a new version, and so new lists.
    """
    if not ranked:
        return []
    rows = _kept_or_made("rows", [pk for pk, _ in ranked], _fetch_rows, _kept.keep_rows)
    found = matched_words({pk: row[5] for pk, row in rows.items()}, lexemes)
    articles = []
    for pk, rank in ranked:
        if pk not in rows:  # deleted a moment ago: the next version's lists drop it
            continue
        article = _loaded(rows[pk][:5])
        article.rank = rank
        article.snippet = snippet(rows[pk][5], found[pk])
        articles.append(article)
    return articles


# ---------------------------------------------------------------------------
# Snippets

# Private-use characters mark the highlighted words: they cannot come from the text, and
# they survive the HTML escaping that makes the snippet safe (`selectors.search_snippet`).
MARK_START, MARK_STOP = "\ue000", "\ue001"
SNIPPET_WORDS = 35
_MATCHES_READ = 200  # per text: enough to choose fragments from
_WORD = re.compile(r"[^\W_]+")


def _prefixes(lexemes: Iterable[str]) -> list[str]:
    """What the written forms of these stems begin with. A Snowball stem is a prefix of
    its word but for its last letter ("anxieti" ← anxiety, "sensibl" ← sensibility), so
    only that much is asked for; each candidate's real stem is then checked. (The stemmer's
    few exceptions, "die" ← dying and the like, go unmarked.)"""
    return sorted({lexeme[: max(2, len(lexeme) - 1)] for lexeme in lexemes})


def _candidates(text: str, prefixes: list[str]) -> list[tuple[int, int, str]]:
    """(start, stop, lower-cased word) of each word in `text` starting with a prefix, in
    order. str.find is a C loop: some ten times faster here than a regular expression."""
    lower = text.lower()
    if len(lower) != len(text):  # a letter whose lower case is longer: no shared offsets
        lower = text
    found = []
    for prefix in prefixes:
        at = lower.find(prefix)
        while at != -1 and len(found) < _MATCHES_READ:
            if at == 0 or not lower[at - 1].isalnum():
                word = _WORD.match(lower, at).group(0)
                found.append((at, at + len(word), word))
            at = lower.find(prefix, at + 1)
    found.sort()
    return found


def matched_words(texts: dict[int, str], lexemes: set[str]) -> dict[int, list[tuple]]:
    """Per text, the (start, stop, lexeme) of each word whose stem is one of `lexemes`, in
    order. Each text's matches of each stem are kept with this version's lists: the words
    of new queries recur, and so do the articles they find."""
    if not lexemes:
        return {pk: [] for pk in texts}
    pairs = [(pk, lexeme) for pk in texts for lexeme in lexemes]
    make = partial(_find_matches, texts)
    kept = _kept_or_made("matches", pairs, make, _kept.keep_matches)
    return {pk: sorted(match for lexeme in lexemes for match in kept[pk, lexeme]) for pk in texts}


def _find_matches(texts: dict[int, str], pairs: list[tuple[int, str]]) -> dict[tuple, tuple]:
    """For each (text, stem), its words with that stem: candidates by the stem's prefix
    (`_prefixes`), confirmed by the stemmer."""
    prefixes = {lexeme: _prefixes([lexeme]) for _, lexeme in pairs}
    found = {(pk, lexeme): _candidates(texts[pk], prefixes[lexeme]) for pk, lexeme in pairs}
    words = {word for candidates in found.values() for *_, word in candidates}
    if unknown := words - _stems.keys():
        if len(_stems) + len(unknown) > _STEMS_KEPT:
            unknown = words  # the bound empties what is kept: learn them all again
        _learn_stems(unknown)
    return {
        (pk, lexeme): tuple(
            (start, stop, lexeme) for start, stop, word in candidates if _stems[word] == lexeme
        )
        for (pk, lexeme), candidates in found.items()
    }


def _learn_stems(words: set[str]) -> None:
    """Ask PostgreSQL's English stemmer for these words' stems, and keep them."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT w, {_STEM_SQL} FROM unnest(%s::text[]) AS w", [sorted(words)])
        _remember_stems(cursor.fetchall(), count=len(words))


def snippet(text: str, matches: list[tuple[int, int, str]]) -> str:
    """About 35 words of `text` with the matched words marked, in one fragment or two
    (like `ts_headline` with MaxFragments=2): the one showing most of the query's words,
    and if some are missing, one around the first of those. The opening words when none
    match."""
    if not matches:
        return " ".join(text.split(" ", SNIPPET_WORDS)[:SNIPPET_WORDS])
    wanted = {lexeme for *_, lexeme in matches}
    # Which of the first matches shows the most of the query's words within reach?
    first = matches[:16]
    places, words, counted = [], 0, 0  # word numbers, counted on from the previous match
    for start, _, _ in first:
        words += text.count(" ", counted, start)
        counted = start
        places.append(words)
    reach = SNIPPET_WORDS - 4
    best, shown = 0, set()
    for i, place in enumerate(places):
        here = {first[j][2] for j in range(i, len(first)) if places[j] - place < reach}
        if len(here) > len(shown):
            best, shown = i, here
            if shown == wanted:
                break
    if shown == wanted:
        spans = [_fragment(text, matches[best][0], SNIPPET_WORDS)]
    else:
        half = SNIPPET_WORDS // 2
        missing = next(m for m in matches if m[2] not in shown)
        spans = sorted(
            [
                _fragment(text, matches[best][0], half),
                _fragment(text, missing[0], SNIPPET_WORDS - half),
            ]
        )
        if spans[1][0] <= spans[0][1] + 1:  # they touch: one fragment
            spans = [(spans[0][0], max(spans[0][1], spans[1][1]))]
    return " … ".join(_marked(text, start, stop, matches) for start, stop in spans)


def _marked(text: str, start: int, stop: int, matches) -> str:
    parts, at = [], start
    for begin, end, _ in matches:
        if begin >= start and end <= stop:
            parts += [text[at:begin], MARK_START, text[begin:end], MARK_STOP]
            at = end
    parts.append(text[at:stop])
    return "".join(parts)


def _fragment(text: str, at: int, words: int) -> tuple[int, int]:
    """The span of `words` words starting a few words before the one at offset `at`."""
    begin = text.rfind(" ", 0, at) + 1
    for _ in range(min(4, words // 4)):
        if begin == 0:
            break
        begin = text.rfind(" ", 0, begin - 1) + 1
    if begin and text.count(" ", 0, begin) < 3:  # a few words from the start: start there
        begin = 0
    return begin, _after_words(text, begin, words)


def _after_words(text: str, begin: int, words: int) -> int:
    """Where the `words`-th space after offset `begin` is (the text's end if it has fewer):
    split in C over a slice that is long enough but for very long words."""
    start, length = begin + 1, 12 * words
    while True:
        rest = text[start : start + length]
        parts = rest.split(" ", words)
        if len(parts) > words:
            return start + len(rest) - len(parts[-1]) - 1
        if start + length >= len(text):
            return len(text)
        length *= 4


def forget() -> None:
    """Drop this process's word lists and stems (tests; a process sees one database)."""
    with _kept.lock:
        _kept.reset_for(object())
    _stems.clear()
