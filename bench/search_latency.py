"""Fresh-query search latency on a realistic corpus (database + view, no HTTP server).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/search \\
        python bench/search_latency.py [--seed] [--articles 10000] [--queries 200]

--seed replaces every article in that database (never point it at one you need) with
articles of about 1,200 words drawn from a 5,000-word vocabulary with Zipf frequencies
(stop words the commonest, as in English), eight sections each, one of them a list, and
three of 200 tags each. Then it times 200 distinct one- to three-word queries from the
same vocabulary through the search view, each asked for the first time (empty cache),
and prints the median and 99th percentile, with every match counted and ranked, and with
only the newest 1,000 or SEARCH_RANKED_AT_MOST counted and ranked.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "happyinnerself.settings.test")

STOP_WORDS = (
    "the of and to a in is it you that he was for on are with as i his they be at one have "
    "this from or had by not but what some we can out other were all there when up use your "
    "how said an each she which do their time if will way about many then them would"
).split()
VOCABULARY = 5_000
WORDS_PER_ARTICLE = 1_200
SECTIONS = 8
TAGS = 200


def vocabulary(rng: random.Random) -> list[str]:
    """Stop words first (the commonest), then made-up but pronounceable words."""
    onsets = "b c d f g h j k l m n p r s t v w br cl dr fl gr pl st tr sh ch th".split()
    vowels = "a e i o u ai ea ee oo ou".split()
    codas = ["", "n", "m", "r", "l", "s", "t", "nd", "st", "ng", "rk"]
    words, seen = list(STOP_WORDS), set(STOP_WORDS)
    while len(words) < VOCABULARY:
        word = "".join(
            rng.choice(onsets) + rng.choice(vowels) for _ in range(rng.choice((1, 2, 2, 3)))
        )
        word += rng.choice(codas)
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def seed(count: int) -> None:
    from django.db import connection

    from articles.services import article_refresh_derived_all

    rng = random.Random(16)
    words = vocabulary(rng)
    weights = [1 / rank**1.07 for rank in range(1, len(words) + 1)]
    cumulative, total = [], 0.0
    for weight in weights:
        total += weight
        cumulative.append(total)
    per_section = WORDS_PER_ARTICLE // SECTIONS
    articles, sections, tagged = io.StringIO(), io.StringIO(), io.StringIO()
    for n in range(1, count + 1):
        title = " ".join(rng.choices(words[60:], cum_weights=cumulative[60:], k=6)).capitalize()
        standfirst = " ".join(rng.choices(words, cum_weights=cumulative, k=20)).capitalize()
        when = "2025-01-01 00:00:00+00"  # spread over the past below
        articles.write(
            f"{n}\t{title}\tarticle-{n}\t{standfirst}.\t\t\t\t{{}}\tpublished\t{when}\t"
            f"\\N\t{'t' if n == 1 else 'f'}\t1\t{when}\t{when}\n"
        )
        for s in range(1, SECTIONS + 1):
            drawn = rng.choices(words, cum_weights=cumulative, k=per_section)
            if s == 4:  # a list of short items
                items = [" ".join(drawn[i : i + 6]) for i in range(0, per_section, 6)]
                body = "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"
            else:
                paragraphs = [" ".join(drawn[i : i + 50]) for i in range(0, per_section, 50)]
                body = "".join(f"<p>{p.capitalize()}.</p>" for p in paragraphs)
            heading = " ".join(rng.choices(words[60:], cum_weights=cumulative[60:], k=3))
            sections.write(f"{n}\t{s}\t{heading.capitalize()}\t2\tpart-{s}\t{body}\n")
        for tag in rng.sample(range(1, TAGS + 1), 3):
            tagged.write(f"{n}\t{tag}\n")
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE articles_article, articles_section, articles_taggedarticle, taggit_tag "
            "CASCADE"
        )
        tag_words = rng.sample(words[100:1000], TAGS)
        cursor.executemany(
            "INSERT INTO taggit_tag (id, name, slug) VALUES (%s, %s, %s)",
            [(i, w.capitalize(), f"{w}-{i}") for i, w in enumerate(tag_words, start=1)],
        )
        raw = cursor.connection.cursor()
        for data, table, columns in (
            (
                articles,
                "articles_article",
                "id, title, slug, standfirst, cover, cover_alt, cover_caption, "
                "cover_renditions, status, published_at, author_id, featured, reading_time, "
                "created_at, updated_at",
            ),
            (sections, "articles_section", "article_id, position, heading, level, anchor, body"),
            (tagged, "articles_taggedarticle", "content_object_id, tag_id"),
        ):
            data.seek(0)
            raw.copy_expert(f"COPY {table} ({columns}) FROM STDIN", data)
        # Publication times spread over the past, newest first by id.
        cursor.execute(
            "UPDATE articles_article "
            "SET published_at = now() - make_interval(mins => (id * 37)::int)"
        )
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('articles_article', 'id'), {count})")
    started = time.perf_counter()
    article_refresh_derived_all()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE articles_article")
        cursor.execute("VACUUM ANALYZE articles_searchpassage")
        cursor.execute("SELECT avg(pg_column_size(search_vector)) FROM articles_article")
        (vector,) = cursor.fetchone()
        cursor.execute("SELECT avg(length(text)) FROM articles_searchpassage")
        (passage,) = cursor.fetchone()
    print(
        f"seeded {count} articles in {time.perf_counter() - started:.0f} s of refresh: "
        f"vectors {vector / 1024:.1f} KB stored, snippet passages {passage:.0f} characters"
    )


def queries(count: int) -> list[str]:
    rng = random.Random(200)
    words = vocabulary(random.Random(16))[len(STOP_WORDS) :]
    weights = [1 / rank**1.07 for rank in range(1, len(words) + 1)]
    chosen: set[str] = set()
    while len(chosen) < count:
        chosen.add(" ".join(rng.choices(words[:2000], weights[:2000], k=rng.randint(1, 3))))
    return sorted(chosen)


def measure(texts: list[str]) -> list[float]:
    from django.core.cache import cache
    from django.test import Client

    client = Client()
    client.get("/search/", {"q": "warm"})  # connection and templates loaded
    times = []
    cache.clear()
    client.get("/search/", {"q": "warm"})  # the content version is kept
    for text in texts:  # each asked for the first time
        started = time.perf_counter()
        response = client.get("/search/", {"q": text}, REMOTE_ADDR=f"10.0.{len(times)}.1")
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (text, response.status_code)
    return times


def report(name: str, times: list[float]) -> None:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * len(ordered)) - 1)]
    print(
        f"{name:<38} median {statistics.median(times):6.1f} ms   p99 {p99:6.1f} ms   "
        f"max {ordered[-1]:6.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", action="store_true")
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings

    from articles import selectors

    settings.SEARCH_RATE_LIMIT = "1000000/1"  # measure search, not its rate limit
    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    if args.seed:
        seed(args.articles)
    texts = queries(args.queries)
    for limit in (10**9, 1000, selectors.SEARCH_RANKED_AT_MOST):
        selectors.SEARCH_RANKED_AT_MOST = limit
        report("every match ranked" if limit == 10**9 else f"newest {limit} ranked", measure(texts))


if __name__ == "__main__":
    main()
