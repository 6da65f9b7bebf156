"""Ranking queries on 10,000 articles and 1,000,000 daily rows, timed against a primary-key
lookup in the same run.

    DATABASE_URL=postgres://… .venv/bin/python bench/popularity_rankings.py [--repeat 25]

It creates its own database `bench_popularity` on the server DATABASE_URL points at (never
touching that database), migrates it, seeds it in SQL, prints a median time per query and
its ratio to the primary-key lookup, and drops the database again, even on failure.
Without DATABASE_URL it uses the embedded development server (scripts/devdb.py).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Its own database; BENCH_DB_NAME lets runs beside each other on one server not collide.
BENCH_DB = os.environ.get("BENCH_DB_NAME", "bench_popularity")
ARTICLES = 10_000
DAYS_PER_ARTICLE = 100  # 10,000 × 100 = 1,000,000 daily rows
HISTORY_DAYS = 365  # spread over a year: a 30-day window holds ~82,000 rows

SEED_SQL = f"""
INSERT INTO articles_article
    (title, slug, standfirst, cover, cover_alt, cover_caption, cover_renditions, status,
     published_at, featured, reading_time, created_at, updated_at)
SELECT 'Bench article ' || n, 'bench-article-' || n, 'A short summary.', '', '', '', '{{}}',
       CASE WHEN n % 20 = 0 THEN 'draft' ELSE 'published' END,
       CASE WHEN n % 20 = 0 THEN NULL
            WHEN n % 20 = 1 THEN now() + interval '3 days'           -- scheduled
            ELSE now() - (n % 400) * interval '1 day' END,
       false, 4, now(), now()
FROM generate_series(1, {ARTICLES}) AS n;

-- Each article is read on {DAYS_PER_ARTICLE} distinct days (every third day from a random
-- start, wrapping within the year); views follow a long tail, as real readership does.
INSERT INTO popularity_dailyview (article_id, day, views, unique_readers)
SELECT a.id, current_date - ((a.start + k * 3) % {HISTORY_DAYS}),
       v.views, greatest(1, (v.views * 0.8)::int)
FROM (SELECT id, (random() * {HISTORY_DAYS})::int AS start, random() AS appeal
      FROM articles_article) AS a
CROSS JOIN generate_series(0, {DAYS_PER_ARTICLE - 1}) AS k
CROSS JOIN LATERAL (SELECT 1 + (200 * a.appeal ^ 4 * random())::int AS views) AS v;

-- 30 tags, two per article, for the dashboard's tags table.
INSERT INTO taggit_tag (name, slug)
SELECT 'tag ' || n, 'tag-' || n FROM generate_series(1, 30) AS n;
INSERT INTO articles_taggedarticle (content_object_id, tag_id)
SELECT a.id, t.id FROM articles_article AS a
JOIN taggit_tag AS t ON t.id IN (SELECT min(id) + a.id % 30 FROM taggit_tag
                                 UNION SELECT min(id) + (a.id * 7 + 3) % 30 FROM taggit_tag);

INSERT INTO popularity_articletotal (article_id, views)
SELECT article_id, sum(views) FROM popularity_dailyview GROUP BY article_id;

-- Each daily row's views from one origin (1,000,000 origin rows): 12 sources, a campaign
-- on one in eight, three devices, five browsers, four systems, ten countries.
INSERT INTO popularity_dailyorigin
    (article_id, day, source, medium, campaign, device, browser, os, country, views,
     unique_readers)
SELECT article_id, day,
       (ARRAY['Google','Direct / none','Facebook','Reddit','Bing','DuckDuckGo','Newsletters',
              'X/Twitter','Pinterest','Internal','example.org','YouTube'])[1 + (r * 12)::int % 12],
       CASE WHEN r < 0.125 THEN 'email' ELSE '' END,
       CASE WHEN r < 0.125 THEN 'spring-' || (r * 80)::int ELSE '' END,
       (ARRAY['desktop','mobile','tablet'])[1 + (r * 1000)::int % 3],
       (ARRAY['Chrome','Mobile Safari','Firefox','Edge','Samsung'])[1 + (r * 997)::int % 5],
       (ARRAY['Windows','iOS','Android','Mac OS X'])[1 + (r * 991)::int % 4],
       (ARRAY['DE','GB','US','FR','NL','ES','IT','SE','CA','AU'])[1 + (r * 983)::int % 10],
       views, unique_readers
FROM (SELECT *, random() AS r FROM popularity_dailyview) AS d
ORDER BY day;  -- counting writes a day's rows on that day: the table is in day order
UPDATE popularity_dailyview SET origins = 1;

-- Reading paths (1,000,000 rows): each daily row's readers went on to one of the 50
-- articles after it, a fifth of them, in day order as counting writes them.
INSERT INTO popularity_dailypath (from_article_id, day, to_article_id, readers)
SELECT d.article_id, d.day, 1 + (d.article_id + 1 + (random() * 49)::int) % {ARTICLES},
       greatest(1, d.unique_readers / 5)
FROM popularity_dailyview AS d
ORDER BY d.day;

-- The site's rows: the origin rows summed over the articles, as counting writes them.
INSERT INTO popularity_sitedailyorigin
    (day, source, medium, campaign, device, browser, os, country, views, unique_readers)
SELECT day, source, medium, campaign, device, browser, os, country, sum(views),
       sum(unique_readers)
FROM popularity_dailyorigin
GROUP BY day, source, medium, campaign, device, browser, os, country
ORDER BY day;

-- Read depth: four in ten readers' browsers report, about a third of them finish.
INSERT INTO popularity_readdepthday (article_id, day, readers, completions)
SELECT article_id, day, r, (r * random() * 0.66)::int
FROM (SELECT article_id, day, greatest(1, (unique_readers * 0.4)::int) AS r
      FROM popularity_dailyview) AS d
ORDER BY day;

-- Engaged time: each reporting day's readers spread over up to five of the 24 buckets
-- (one row per bucket that has readers, as reports write them).
-- (Half the articles' 4 minutes, 120 s, is bucket 7 on.)
INSERT INTO popularity_engagedtimeday (article_id, day, bucket, readers, half_readers)
SELECT article_id, day, bucket, r, CASE WHEN bucket >= 7 THEN r ELSE 0 END
FROM (SELECT d.article_id, d.day, k * 4 + floor(random() * 4)::int AS bucket,
             greatest(1, d.readers / n.n) AS r
      FROM popularity_readdepthday AS d
      CROSS JOIN LATERAL (SELECT least(d.readers, 5)::int AS n) AS n
      CROSS JOIN LATERAL generate_series(0, n.n - 1) AS k) AS e
ORDER BY day;

-- Site searches: 300 distinct queries a day (a fifth found nothing, a fifth of the rest
-- opened nothing), as the flush writes them.
INSERT INTO popularity_dailysearch (day, query, searches, results, opened, position_sum)
SELECT current_date - d, 'query ' || ((q * 7 + d) % 3000), s, r, o, o * 2
FROM generate_series(0, {HISTORY_DAYS - 1}) AS d
CROSS JOIN generate_series(1, 300) AS q
CROSS JOIN LATERAL (SELECT 1 + (20 * random() ^ 3)::int AS s) AS s
CROSS JOIN LATERAL (SELECT CASE WHEN q % 5 = 0 THEN 0 ELSE 1 + q % 9 END AS r) AS r
CROSS JOIN LATERAL (SELECT CASE WHEN r = 0 OR q % 5 = 1 THEN 0 ELSE (s + 1) / 2 END AS o) AS o
ORDER BY 1;
"""
# VACUUM cannot run inside the seed's transaction; it sets the visibility map that lets
# index-only scans skip the table, as autovacuum would on a live site.
AFTER_SEED = [
    "VACUUM ANALYZE articles_article",
    "VACUUM ANALYZE articles_taggedarticle",
    "VACUUM ANALYZE popularity_dailyview",
    "VACUUM ANALYZE popularity_articletotal",
    "VACUUM ANALYZE popularity_dailyorigin",
    "VACUUM ANALYZE popularity_sitedailyorigin",
    "VACUUM ANALYZE popularity_readdepthday",
    "VACUUM ANALYZE popularity_engagedtimeday",
    "VACUUM ANALYZE popularity_tagreaddepthday",
    "VACUUM ANALYZE popularity_tagengagedtimeday",
    "VACUUM ANALYZE popularity_dailypath",
    "VACUUM ANALYZE popularity_dailysearch",
]


def server_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "devdb.py"), "start"],
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


def maintenance_connection(params: dict):
    import psycopg2

    conn = psycopg2.connect(
        dbname=params["NAME"],
        user=params.get("USER") or None,
        password=params.get("PASSWORD") or None,
        host=params.get("HOST") or None,
        port=params.get("PORT") or None,
    )
    conn.autocommit = True
    return conn


def median_ms(run, repeat: int, cpu=None) -> tuple[float, float]:
    """Median wall-clock ms of `run`, and its median CPU ms (this process's and, when the
    server is on this machine, its PostgreSQL backend's): on a machine shared with other
    work the wall clock includes waiting for a core, the CPU time does not."""
    run()  # warm: plan cache, buffers
    samples, cpu_samples = [], []
    for _ in range(repeat):
        cpu_before = time.process_time() + (cpu() if cpu else 0)
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
        cpu_samples.append((time.process_time() + (cpu() if cpu else 0) - cpu_before) * 1000)
    return statistics.median(samples), statistics.median(cpu_samples)


def backend_cpu(connection):
    """A function giving the CPU seconds of this connection's PostgreSQL backend so far, or
    None when /proc cannot show it (the server runs elsewhere)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    stat = Path(f"/proc/{pid}/stat")
    if not stat.exists():
        return None
    ticks = os.sysconf("SC_CLK_TCK")

    def seconds() -> float:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime

    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=25, help="timed runs per query")
    parser.add_argument("--explain", action="store_true", help="print each query's plan")
    parser.add_argument(
        "--keep", action="store_true", help="leave the bench database for inspection"
    )
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = server_url()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "happyinnerself.settings.dev")
    os.environ["DEBUG"] = "0"  # no query log: time what production runs
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    params = dict(settings.DATABASES["default"])
    admin = maintenance_connection(params)
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {BENCH_DB}")
    # From here on Django talks to the bench database only.
    connections["default"].close()
    connections["default"].settings_dict["NAME"] = BENCH_DB
    try:
        return run_bench(args, call_command)
    finally:
        connections["default"].close()
        if not args.keep:
            with admin.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
            print(f"dropped database {BENCH_DB}")
        admin.close()


def run_bench(args, call_command) -> int:
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from articles.models import Article
    from popularity.analysis import Period
    from popularity.breakdowns import Filters, stats_breakdowns
    from popularity.closed_days import closed_days_changed
    from popularity.engaged import article_engagement, tag_engagement
    from popularity.least_read import least_read
    from popularity.models import DailyView, EngagedTimeDay
    from popularity.paths import article_onward, article_paths, top_pairs
    from popularity.rankings import Window, ranking, ranking_queryset
    from popularity.read_depth import tag_sums_rebuild
    from popularity.searches import content_gaps
    from popularity.statistics import (
        stats_article_ranking,
        stats_article_rows,
        stats_articles,
        stats_daily,
        stats_tags,
        tags_of_ranking,
    )
    from popularity.totals import article_view_totals

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(SEED_SQL)
        tag_sums_rebuild()  # the tags' sums of read depth and engaged time, as counting keeps
        for statement in AFTER_SEED:
            cursor.execute(statement)
    articles, rows = Article.objects.count(), DailyView.objects.count()
    tagged = Article.tags.through.objects.count()
    today = timezone.localdate()
    window_rows = DailyView.objects.filter(day__gte=today - timedelta(days=29)).count()
    engaged_rows = EngagedTimeDay.objects.count()
    print(
        f"seeded {articles:,} articles ({tagged:,} tag links) and {rows:,} daily rows "
        f"({window_rows:,} in the last 30 days; {engaged_rows:,} engaged-time rows) in "
        f"{time.perf_counter() - started:.1f}s"
    )

    ids = list(Article.objects.values_list("pk", flat=True))
    rng = random.Random(4)

    def pk_lookup():
        Article.objects.filter(pk=rng.choice(ids)).values_list("title", flat=True).first()

    page_ids = rng.sample(ids, 100)

    def dashboard_page(query: str, *, kept: bool = True):
        """The whole statistics view as an owner gets it (server time, no network). With
        `kept=False`, as after a write to an ended day: its sums summed again."""
        from django.contrib.auth import get_user_model
        from django.test import Client

        owner, _ = get_user_model().objects.get_or_create(
            username="bench-owner", defaults={"is_staff": True, "is_superuser": True}
        )
        client = Client(HTTP_HOST="localhost")
        client.force_login(owner)

        def get():
            if not kept:
                closed_days_changed()
            response = client.get(f"/admin/statistics/{query}")
            assert response.status_code == 200, response.status_code

        return get

    month = Period(start=today - timedelta(days=29), end=today)
    ranked = stats_article_ranking(period=month)
    tag_slugs = [tag.slug for tag in tags_of_ranking(ranked)]

    def table_page():
        stats_article_rows(
            period=month, ranked=ranked[:50], total_views=sum(r.views for r in ranked)
        )

    cases = [
        (f"ranking {w.value} (top 10)", lambda w=w: ranking(window=w, limit=10)) for w in Window
    ]
    cases += [
        ("admin: view totals of 100 articles", lambda: article_view_totals(article_ids=page_ids)),
        ("dashboard: ranking, 30 days", lambda: stats_article_ranking(period=month)),
        ("dashboard: table page, 30 days", table_page),
        ("dashboard: tags of the ranking", lambda: tags_of_ranking(ranked)),
        ("CSV: every article's row, 30 days", lambda: stats_articles(period=month)),
        ("dashboard: tags alone, 30 days", lambda: stats_tags(period=month)),
        (
            "dashboard: tags' engaged time, 30 days",
            lambda: tag_engagement(period=month, slugs=tag_slugs),
        ),
        ("dashboard: least read, 30 days", lambda: least_read(period=month, ranking=ranked)),
        (
            "article page: engaged time, 30 days",
            lambda: article_engagement(
                period=month,
                article_id=ranked[0].article_id,
                reading_time=4,
                depth_readers=0,
                completions=0,
            ),
        ),
        ("dashboard: all origin panels, 30 days", lambda: stats_breakdowns(period=month)),
        (
            "dashboard: panels, source=Reddit",
            lambda: stats_breakdowns(period=month, filters=Filters(source="Reddit")),
        ),
        (
            "dashboard: articles, source=Reddit",
            lambda: stats_articles(period=month, filters=Filters(source="Reddit")),
        ),
        (
            "dashboard: chart, source=Reddit",
            lambda: stats_daily(period=month, filters=Filters(source="Reddit")),
        ),
        ("dashboard: top reading paths, 30 days", lambda: top_pairs(period=month)),
        (
            "article: came from, read next, onward",
            lambda: (
                article_paths(period=month, article_id=page_ids[0]),
                article_onward(period=month, article_id=page_ids[0]),
            ),
        ),
        ("dashboard: content gaps, 30 days", lambda: content_gaps(period=month)),
        ("dashboard page, 30 days (whole view)", dashboard_page("?range=30")),
        ("… ended days not kept", dashboard_page("?range=30", kept=False)),
        ("article page, 30 days (whole view)", dashboard_page(f"articles/{page_ids[0]}/?range=30")),
        ("dashboard page, source=Reddit", dashboard_page("?range=30&source=Reddit")),
        ("… ended days not kept", dashboard_page("?range=30&source=Reddit", kept=False)),
    ]

    cpu = backend_cpu(connection)
    baseline, _ = median_ms(pk_lookup, args.repeat * 4, cpu)
    print(f"\n{'query':<40}{'median ms':>11}{'x pk lookup':>14}{'CPU ms':>9}")
    print(f"{'primary-key lookup (baseline)':<40}{baseline:>11.3f}{1:>14.1f}")
    for name, run in cases:
        elapsed, used = median_ms(run, args.repeat, cpu)
        print(f"{name:<40}{elapsed:>11.3f}{elapsed / baseline:>14.1f}{used:>9.1f}")
    from django.conf import settings

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nload average {load}; cache {settings.CACHES['default']['BACKEND']}")
    if args.explain:
        for window in Window:
            raw = ranking_queryset(window=window, limit=10)
            sql, params = raw.raw_query, raw.params
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            print(f"\n--- plan: ranking {window.value}\n{plan}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
