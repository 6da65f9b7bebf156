"""Seed the benchmark data set with set-based SQL (seconds, not minutes).

10,000 published articles x 8 sections, 200 tags (3 per article), and — when the
popularity app is installed — 1,000,000 daily view rows spread over the last 100 days.
Search vectors and reading times are then computed by `manage.py refresh_derived`.
"""

from __future__ import annotations

ARTICLES = 10_000
SECTIONS_PER_ARTICLE = 8
TAGS = 200
TAGS_PER_ARTICLE = 3
VIEW_DAYS = 100  # 10,000 articles x 100 days = 1,000,000 daily rows

# Forty topics, two per article (its sections alternate): a word like "botox" is in about
# a third of the articles and "grief" in about a quarter, as on a real site.
TOPICS = [
    f"{subject} shows up in the body long before the mind names it. {advice} Small things "
    f"repeated are how healing usually happens, and {detail}."
    for subject, advice, detail in [
        (s, a, d)
        for s in (
            "Stress",
            "Face twitching",
            "Poor sleep",
            "Anxiety",
            "Burnout",
            "Grief",
            "Loneliness",
            "Tension in the jaw",
        )
        for a, d in (
            ("Slow exhales calm the nervous system.", "breathing practice helps most"),
            ("A short walk resets a racing mind.", "daylight matters more than distance"),
            ("Botox injections can ease hemifacial spasms.", "a neurologist should advise"),
            ("Writing three lines each night settles worry.", "gratitude journals work"),
            ("Talking with a therapist gives thoughts a shape.", "support groups help too"),
        )
    ]
]

SEED_SQL = f"""
TRUNCATE articles_article, articles_section, articles_taggedarticle, taggit_tag CASCADE;

INSERT INTO taggit_tag (id, name, slug)
SELECT i, 'topic ' || i, 'topic-' || i FROM generate_series(1, {TAGS}) AS i;

INSERT INTO articles_article (id, title, slug, standfirst, cover, cover_alt, cover_caption,
    cover_renditions, status, published_at, featured, reading_time, created_at, updated_at)
SELECT i,
       'Calm practice number ' || i || ': breathing, sleep and face twitching',
       'calm-practice-' || i,
       'How stress settles in the body, and what to do about it, part ' || i || '.',
       '', '', '', '{{}}', 'published',
       now() - make_interval(mins => i * 37),
       i = 1, 1, now() - make_interval(mins => i * 37), now() - make_interval(mins => i * 37)
FROM generate_series(1, {ARTICLES}) AS i;

INSERT INTO articles_section (article_id, position, heading, level, anchor, body)
SELECT a, s,
       CASE WHEN s %% 3 = 0 THEN 'Going deeper ' || s ELSE 'Part ' || s || ' of the practice' END,
       CASE WHEN s %% 3 = 0 THEN 3 ELSE 2 END,
       'part-' || s,
       -- Two topics an article, alternating by section: a word is in a share of them.
       '<p>' || (%(topics)s)[1 + (CASE WHEN s %% 2 = 0 THEN a * 7 ELSE a * 13 + 5 END)
                                %% {len(TOPICS)}] || '</p>'
FROM generate_series(1, {ARTICLES}) AS a, generate_series(1, {SECTIONS_PER_ARTICLE}) AS s;

INSERT INTO articles_taggedarticle (content_object_id, tag_id)
SELECT a, ((a * 7 + k * 61) %% {TAGS}) + 1
FROM generate_series(1, {ARTICLES}) AS a, generate_series(0, {TAGS_PER_ARTICLE - 1}) AS k
ON CONFLICT DO NOTHING;

SELECT setval(pg_get_serial_sequence('articles_article', 'id'), {ARTICLES});
SELECT setval(pg_get_serial_sequence('taggit_tag', 'id'), {TAGS});
"""

VIEWS_SQL = f"""
TRUNCATE popularity_dailyview, popularity_articletotal;
INSERT INTO popularity_dailyview (article_id, day, views, unique_readers)
SELECT a, current_date - d,
       1 + ((a * 31 + d * 17) % 97) * (1 + (a % 13 = 0)::int * 5),
       1 + ((a * 31 + d * 17) % 97) / 2
FROM generate_series(1, {ARTICLES}) AS a, generate_series(0, {VIEW_DAYS - 1}) AS d;
INSERT INTO popularity_articletotal (article_id, views)
SELECT article_id, sum(views) FROM popularity_dailyview GROUP BY article_id;
"""


def seed(connection) -> dict[str, int]:
    """Fill the (migrated, empty) database behind a psycopg2 connection; returns row counts."""
    with connection.cursor() as cursor:
        cursor.execute(SEED_SQL, {"topics": TOPICS})
        cursor.execute("SELECT to_regclass('popularity_dailyview') IS NOT NULL")
        has_views = cursor.fetchone()[0]
        if has_views:
            cursor.execute(VIEWS_SQL)
        cursor.execute("ANALYZE")
        counts = {}
        tables = ["articles_article", "articles_section", "taggit_tag", "articles_taggedarticle"]
        extra = ["popularity_dailyview", "popularity_articletotal"] if has_views else []
        for table in tables + extra:
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
    connection.commit()
    return counts
