"""Seed the benchmark data set: N published articles that read like the real ones.

Each article has about 1,200 words (like the face-twitching article) in 15-20 sections with
H2/H3 headings, paragraphs and a list or two, drawn from a 5,000-word vocabulary with a
Zipf-like (skewed) frequency: the demo articles' own words ranked by how often they use
them, then made-up words for the long tail. Everything is deterministic (seeded per
article), so 1,000 articles are the first 1,000 of 10,000. Rows go in with COPY; search
vectors and reading times are computed afterwards by `manage.py refresh_derived`.
"""

from __future__ import annotations

import io
import itertools
import random
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

DEMO = Path(__file__).resolve().parent.parent / "content" / "demo"
VOCABULARY_SIZE = 5_000
WORDS_PER_ARTICLE = 1_200
TAGS = 200
TAGS_PER_ARTICLE = 3
VIEW_DAYS = 100  # daily view rows per article

# PostgreSQL's English stop words (and a few more fillers): frequent in bodies, never in
# titles, tags or the queries readers type.
STOP_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    also may often it's can't don't won't one two us let many much even well""".split()
)
_SYLLABLES = [c + v for c in "bdfghklmnprstvwz" for v in ("a", "e", "i", "o", "u", "ai", "ee")]
_ENDINGS = ["", "", "n", "s", "l", "r", "t", "ng", "ness", "ing", "er", "ly"]


@cache
def vocabulary() -> tuple[list[str], list[float]]:
    """(words by rank, cumulative Zipf weights): the demo's words, then made-up ones."""
    counts: Counter[str] = Counter()
    for path in sorted(DEMO.glob("*.md")):
        text = path.read_text().split("---", 2)[-1]  # the body, not the front matter
        counts.update(re.findall(r"[a-z]+(?:'[a-z]+)?", text.lower()))
    words = sorted(counts, key=lambda word: (-counts[word], word))[:VOCABULARY_SIZE]
    seen = set(words)
    rng = random.Random(5000)
    while len(words) < VOCABULARY_SIZE:
        word = "".join(rng.choices(_SYLLABLES, k=rng.choice((2, 2, 3, 3, 4))))
        word += rng.choice(_ENDINGS)
        if word not in seen:
            seen.add(word)
            words.append(word)
    # Zipf-Mandelbrot: the r-th word is used about 1 / (r + 2.7) as often as... the first.
    weights = itertools.accumulate(1 / (rank + 2.7) for rank in range(1, len(words) + 1))
    return words, list(weights)


@cache
def content_words() -> list[str]:
    """The real (demo) words a reader might type or a title might use, most frequent first."""
    words, _ = vocabulary()
    demo = [word for word in words[:1500] if word not in STOP_WORDS and len(word) > 3]
    return [word for word in demo if "'" not in word]


def tag_names() -> list[str]:
    return content_words()[:TAGS]


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


_TITLES = [
    "{A} and {b}: what helps",
    "How {a} shapes your {b}",
    "{n} gentle ways to ease {a}",
    "Why {a} matters more than {b}",
    "A quiet guide to {a} and {b}",
    "When {a} will not stop: {b}, {c} and you",
    "What {a} teaches us about {b}",
    "{A}, {b} and the {c} in between",
]


class ArticleWriter:
    """Writes one article from its own seeded generator (the same text every run)."""

    def __init__(self, number: int):
        self.rng = random.Random(number)
        self.words, self.weights = vocabulary()
        self.topics = content_words()

    def draw(self, k: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.weights, k=k)

    def topic(self) -> str:
        # Skewed to the common ones, as real titles and headings are.
        return self.topics[min(int(len(self.topics) ** self.rng.random()), len(self.topics)) - 1]

    def sentence(self, length: int) -> str:
        words = self.draw(length)
        if length > 12:
            words[self.rng.randrange(4, length - 4)] += ","
        return " ".join(words).capitalize() + "."

    def paragraph(self, budget: int) -> tuple[str, int]:
        sentences, used = [], 0
        while used < budget:
            length = self.rng.randint(8, 24)
            sentences.append(self.sentence(length))
            used += length
        return "<p>" + " ".join(sentences) + "</p>", used

    def listing(self) -> tuple[str, int]:
        items = [" ".join(self.draw(self.rng.randint(4, 10))).capitalize() for _ in range(5)]
        items = items[: self.rng.randint(3, 5)]
        used = sum(len(item.split()) for item in items)
        return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>", used

    def heading(self) -> str:
        words = [self.topic()] + self.draw(self.rng.randint(2, 5)) + [self.topic()]
        return " ".join(words).capitalize()

    def title(self) -> str:
        template = self.rng.choice(_TITLES)
        a, b, c = self.topic(), self.topic(), self.topic()
        text = template.format(a=a, b=b, c=c, A=a.capitalize(), n=self.rng.randint(3, 9))
        return text[0].upper() + text[1:]

    def sections(self) -> list[tuple[str, int, str]]:
        """(heading, level, body HTML) for 15-20 sections of about 1,200 words in all."""
        count = self.rng.randint(15, 20)
        lists = set(self.rng.sample(range(1, count), self.rng.randint(1, 2)))
        budget = self.rng.randint(WORDS_PER_ARTICLE - 150, WORDS_PER_ARTICLE + 150)
        per_section = budget // count
        sections = []
        for position in range(count):
            heading = self.heading()
            level = 3 if position and self.rng.random() < 0.25 else 2
            left = per_section - len(heading.split())
            parts = []
            for _ in range(self.rng.randint(1, 3)):
                if left <= 8:
                    break
                html, used = self.paragraph(min(left, self.rng.randint(30, 70)))
                parts.append(html)
                left -= used
            if position in lists:
                html, _ = self.listing()
                parts.insert(1, html)
            sections.append((heading, level, "".join(parts)))
        return sections


def _copy_value(value) -> str:
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "")


def _copy(cursor, table: str, columns: list[str], rows) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(_copy_value(value) for value in row) + "\n")
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


VIEWS_SQL = """
INSERT INTO popularity_dailyview (article_id, day, views, unique_readers)
SELECT a, current_date - d,
       1 + ((a * 31 + d * 17) %% 97) * (1 + (a %% 13 = 0)::int * 5),
       1 + ((a * 31 + d * 17) %% 97) / 2
FROM generate_series(1, %(articles)s) AS a, generate_series(0, %(days)s - 1) AS d;
INSERT INTO popularity_articletotal (article_id, views)
SELECT article_id, sum(views) FROM popularity_dailyview GROUP BY article_id;
"""


def seed(connection, *, articles: int) -> dict[str, int]:
    """Fill the (migrated, empty) database behind a psycopg2 connection; returns row counts.

    Article 1 is the newest (and featured). Daily views start yesterday, so every view the
    benchmark counts lands on today's rows.
    """
    now = datetime.now(UTC).replace(microsecond=0)
    tags = tag_names()
    tag_rng = random.Random(200)
    article_rows, section_rows, tagged_rows, slugs, words = [], [], [], set(), 0
    for number in range(1, articles + 1):
        writer = ArticleWriter(number)
        title = writer.title()
        slug = slugify(title)[:80]
        if slug in slugs:
            slug = f"{slug}-{number}"
        slugs.add(slug)
        standfirst = writer.sentence(writer.rng.randint(14, 24))
        published = now - timedelta(minutes=37 * number)
        article_rows.append(
            (number, title, slug, standfirst, "", "", "", "{}", "published", published.isoformat())
            + (number == 1, 1, published.isoformat(), published.isoformat())
        )
        anchors = set()
        for position, (heading, level, body) in enumerate(writer.sections(), start=1):
            anchor = slugify(heading)[:90]
            if anchor in anchors:
                anchor = f"{anchor}-{position}"
            anchors.add(anchor)
            section_rows.append((number, position, heading, level, anchor, body))
            words += len(heading.split()) + len(re.sub("<[^>]+>", " ", body).split())
        # Popular tags carry many articles, as on a real site.
        chosen = {min(int(TAGS ** tag_rng.random()), TAGS) for _ in range(TAGS_PER_ARTICLE)}
        tagged_rows.extend((number, tag) for tag in sorted(chosen))
    with connection.cursor() as cursor:
        _copy(
            cursor,
            "taggit_tag",
            ["id", "name", "slug"],
            [(i, name.capitalize(), slugify(name)) for i, name in enumerate(tags, start=1)],
        )
        article_columns = (
            "id title slug standfirst cover cover_alt cover_caption cover_renditions status "
            "published_at featured reading_time created_at updated_at"
        ).split()
        _copy(cursor, "articles_article", article_columns, article_rows)
        section_columns = ["article_id", "position", "heading", "level", "anchor", "body"]
        _copy(cursor, "articles_section", section_columns, section_rows)
        _copy(cursor, "articles_taggedarticle", ["content_object_id", "tag_id"], tagged_rows)
        for table in ("articles_article", "taggit_tag", "articles_section"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        cursor.execute("SELECT to_regclass('popularity_dailyview') IS NOT NULL")
        has_views = cursor.fetchone()[0]
        if has_views:
            cursor.execute(VIEWS_SQL, {"articles": articles, "days": VIEW_DAYS})
        counts = {}
        tables = ["articles_article", "articles_section", "taggit_tag", "articles_taggedarticle"]
        extra = ["popularity_dailyview", "popularity_articletotal"] if has_views else []
        for table in tables + extra:
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
    connection.commit()
    counts["words an article"] = words // max(articles, 1)
    return counts
