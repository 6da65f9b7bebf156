"""Seed the benchmark data set with set-based SQL (seconds, not minutes).

10,000 published articles x 8 sections, 200 tags (3 per article), and — when the
popularity app is installed — 1,000,000 daily view rows spread over the last 100 days.
"""

from __future__ import annotations

ARTICLES = 10_000
SECTIONS_PER_ARTICLE = 8
TAGS = 200
TAGS_PER_ARTICLE = 3
VIEW_DAYS = 100  # 10,000 articles x 100 days = 1,000,000 daily rows

PARAGRAPH = (
    "Stress shows up in the body long before the mind names it: a tight jaw, a twitching "
    "eyelid, shallow breathing. Slow exhales, a short walk and an early night are small "
    "things, and small things repeated are how healing usually happens. "
)

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
       '<p>' || repeat(%(paragraph)s, 4) || '</p><p>' || repeat(%(paragraph)s, 3) || '</p>'
FROM generate_series(1, {ARTICLES}) AS a, generate_series(1, {SECTIONS_PER_ARTICLE}) AS s;

INSERT INTO articles_taggedarticle (content_object_id, tag_id)
SELECT a, ((a * 7 + k * 61) %% {TAGS}) + 1
FROM generate_series(1, {ARTICLES}) AS a, generate_series(0, {TAGS_PER_ARTICLE - 1}) AS k
ON CONFLICT DO NOTHING;

SELECT setval(pg_get_serial_sequence('articles_article', 'id'), {ARTICLES});
SELECT setval(pg_get_serial_sequence('taggit_tag', 'id'), {TAGS});
"""

DERIVED_SQL = """
UPDATE articles_article AS a SET
    search_vector =
        setweight(to_tsvector('english', a.title), 'A')
        || setweight(to_tsvector('english', a.standfirst), 'B')
        || setweight(to_tsvector('english', s.headings), 'C')
        || setweight(to_tsvector('english', s.bodies), 'D'),
    reading_time = 3
FROM (
    SELECT article_id,
           string_agg(heading, ' ' ORDER BY position) AS headings,
           string_agg(regexp_replace(body, '<[^>]*>', ' ', 'g'), ' ' ORDER BY position) AS bodies
    FROM articles_section GROUP BY article_id
) AS s
WHERE a.id = s.article_id;
"""

VIEWS_SQL = f"""
TRUNCATE popularity_dailyview;
INSERT INTO popularity_dailyview (article_id, day, views, unique_readers)
SELECT a, current_date - d,
       1 + ((a * 31 + d * 17) % 97) * (1 + (a % 13 = 0)::int * 5),
       1 + ((a * 31 + d * 17) % 97) / 2
FROM generate_series(1, {ARTICLES}) AS a, generate_series(0, {VIEW_DAYS - 1}) AS d;
"""


def seed(connection) -> dict[str, int]:
    """Fill the (migrated, empty) database behind a psycopg2 connection; returns row counts."""
    with connection.cursor() as cursor:
        cursor.execute(SEED_SQL, {"paragraph": PARAGRAPH})
        cursor.execute(DERIVED_SQL)
        cursor.execute("SELECT to_regclass('popularity_dailyview') IS NOT NULL")
        has_views = cursor.fetchone()[0]
        if has_views:
            cursor.execute(VIEWS_SQL)
        cursor.execute("ANALYZE")
        counts = {}
        tables = ["articles_article", "articles_section", "taggit_tag", "articles_taggedarticle"]
        for table in tables + (["popularity_dailyview"] if has_views else []):
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
    connection.commit()
    return counts
