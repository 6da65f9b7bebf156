"""Made-up readership for the demo site, shaped like a real one's (manage.py load_demo_views).

What a small blog's counts look like, so the dashboard, the per-article pages and /popular/
show what they are for:

- a few hits and a long tail: each article's usual daily readership falls with its rank
  (a Zipf-like curve), the rank fixed per article by its slug;
- a weekly rhythm: more on weekdays, a dip on Saturdays;
- a launch bump: a new article is read several times its usual level on its first day,
  fading over about a week;
- one burst when an article is shared widely, some days ago;
- day-to-day noise, unique readers a little below views, and read depth (a share of
  readers report how far they read; fewer reach each later section, fewer still the end)
  and engaged time (those who finish spend about the reading time, the others less);
- where readers came from and on what: most from search engines and phones, some direct,
  from social sites and the newsletter's campaign (DailyOrigin, and their site-wide sums);
- reading paths: a share of each day's readers go on to an article that shares a tag with
  the one they read (the better read ones more often);
- site searches (demo_searches): what a wellbeing blog's readers look for, most finding an
  article and opening it, some finding nothing the site has written yet (content gaps).

Deterministic: the same articles on the same day give the same counts.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from articles.models import Article
from articles.selectors import article_search, article_search_count
from popularity.engaged import bucket_of, half_reading_seconds
from popularity.read_depth import article_top_sections

from .models import (
    ArticleTotal,
    DailyOrigin,
    DailyView,
    Device,
    EngagedTimeDay,
    ReadDepthDay,
    SectionReach,
    SiteDailyOrigin,
    Source,
)

#: The history made: at most this many days back from today (and never before publication).
HISTORY_DAYS = 400
#: Read depth is reported for the most recent days only (as if the feature were newer).
READ_DEPTH_DAYS = 90
#: The most read article's usual day; the others fall away from it.
TOP_DAILY_VIEWS = 420
TAIL_EXPONENT = 1.15
#: Monday first.
WEEKLY_RHYTHM = (1.12, 1.08, 1.04, 1.0, 0.88, 0.68, 0.84)
#: A new article's first day, in multiples of its usual day; halves about every two days.
LAUNCH_BUMP = 5.0
LAUNCH_HALF_LIFE_DAYS = 2.0
#: The shared-widely burst: which article (by rank), how long ago, its days' multiples.
BURST_RANK, BURST_DAYS_AGO, BURST = 1, 12, (6.0, 3.0, 1.6)
#: Where a small health blog's readers come from: (source, medium, campaign), share.
SOURCES = (
    ((Source.GOOGLE, "", ""), 0.34),
    ((Source.DIRECT, "", ""), 0.14),
    ((Source.FACEBOOK, "", ""), 0.08),
    ((Source.NEWSLETTERS, "email", "weekly-letter"), 0.07),
    ((Source.PINTEREST, "", ""), 0.05),
    ((Source.BING, "", ""), 0.04),
    ((Source.DUCKDUCKGO, "", ""), 0.04),
    # About the share of readers the reading paths send on to another article.
    ((Source.INTERNAL, "", ""), 0.20),
    ((Source.REDDIT, "", ""), 0.04),
)
#: Reading paths are counted for the most recent days only, like read depth.
PATH_DAYS = 90
#: The share of a day's readers who go on to another article.
ONWARD_SHARE = (0.12, 0.3)
#: Searches are kept POPULARITY_SEARCH_RETENTION_DAYS at most; the demo makes this many.
SEARCH_DAYS = 60
#: (query, searches a day, share of them whose reader opened a result): the last ones are
#: what the demo site has no article on (or none its readers chose): its content gaps.
SEARCHES = (
    ("sleep", 2.5, 0.6),
    ("burnout", 1.6, 0.55),
    ("panic attack", 1.2, 0.5),
    ("eyelid twitching", 1.0, 0.55),
    ("therapist", 0.8, 0.45),
    ("gratitude", 0.6, 0.5),
    ("meditation", 0.7, 0.4),
    ("melatonin", 0.9, 0.0),
    ("grief", 0.7, 0.0),
    ("seasonal affective disorder", 0.4, 0.0),
    ("adhd in adults", 0.5, 0.0),
)
#: And on what: (device, browser, system), share.
DEVICES = (
    ((Device.MOBILE, "Mobile Safari", "iOS"), 0.34),
    ((Device.MOBILE, "Chrome Mobile", "Android"), 0.24),
    ((Device.DESKTOP, "Chrome", "Windows"), 0.18),
    ((Device.DESKTOP, "Safari", "Mac OS X"), 0.1),
    ((Device.DESKTOP, "Firefox", "Windows"), 0.05),
    ((Device.DESKTOP, "Edge", "Windows"), 0.04),
    ((Device.TABLET, "Mobile Safari", "iOS"), 0.05),
)


@dataclass
class DemoReadership:
    daily: list[DailyView] = field(default_factory=list)
    depth: list[ReadDepthDay] = field(default_factory=list)
    reaches: list[SectionReach] = field(default_factory=list)
    engaged: list[EngagedTimeDay] = field(default_factory=list)
    origins: list[DailyOrigin] = field(default_factory=list)
    # (from article, day, to article, readers), as the flush writes them (paths_upsert).
    paths: list[tuple[int, date, int, int]] = field(default_factory=list)

    def site_origins(self) -> list[SiteDailyOrigin]:
        """The origin rows summed over the articles, as counting keeps them too."""
        sums: dict[tuple, list[int]] = {}
        for row in self.origins:
            key = (row.day, row.source, row.medium, row.campaign, row.device, row.browser, row.os)
            total = sums.setdefault(key, [0, 0])
            total[0] += row.views
            total[1] += row.unique_readers
        names = ("day", "source", "medium", "campaign", "device", "browser", "os")
        return [
            SiteDailyOrigin(**dict(zip(names, key, strict=True)), views=v, unique_readers=u)
            for key, (v, u) in sums.items()
        ]

    def totals(self) -> list[ArticleTotal]:
        views: dict[int, int] = {}
        for row in self.daily:
            views[row.article_id] = views.get(row.article_id, 0) + row.views
        return [ArticleTotal(article_id=pk, views=total) for pk, total in views.items()]


def _seed(*parts: object) -> int:
    text = "\n".join(str(part) for part in parts)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _appeal_order(articles: list[Article]) -> list[Article]:
    """The articles from most to least read: by a hash of the slug, so the featured or the
    newest article is not always the hit."""
    return sorted(articles, key=lambda article: _seed("appeal", article.slug))


def _usual_views(rank: int) -> float:
    return TOP_DAILY_VIEWS / (rank + 1) ** TAIL_EXPONENT


def _day_views(*, usual: float, age: int, rank: int, days_ago: int, rng: random.Random, day: date):
    level = usual * WEEKLY_RHYTHM[day.weekday()]
    level *= 1 + LAUNCH_BUMP * 0.5 ** (age / LAUNCH_HALF_LIFE_DAYS)
    if rank == BURST_RANK and 0 <= BURST_DAYS_AGO - days_ago < len(BURST):
        level *= BURST[BURST_DAYS_AGO - days_ago]
    return max(0, round(level * rng.lognormvariate(0, 0.18)))


def _completion_share(sections: int, rng: random.Random) -> float:
    """Longer articles lose more readers before the end."""
    return min(0.75, max(0.18, 0.72 - 0.045 * sections + rng.uniform(-0.06, 0.06)))


def demo_readership(*, articles: list[Article], today: date) -> DemoReadership:
    """Daily views, read depth, section reach, origins and reading paths for `articles`
    (published ones) up to `today`, as plain unsaved rows."""
    made = DemoReadership()
    ordered = _appeal_order(articles)
    onward = _related(ordered)
    for rank, article in enumerate(ordered):
        if article.published_at is None:  # a draft: never read
            continue
        rng = random.Random(_seed("views", article.slug))
        sections = article_top_sections(article_id=article.pk)
        completion = _completion_share(len(sections), rng)
        published = article.published_at.date()
        first = max(published, today - timedelta(days=HISTORY_DAYS - 1))
        for offset in range((today - first).days + 1):
            day = first + timedelta(days=offset)
            days_ago = (today - day).days
            views = _day_views(
                usual=_usual_views(rank),
                age=(day - published).days,
                rank=rank,
                days_ago=days_ago,
                rng=rng,
                day=day,
            )
            if not views:
                continue
            unique = max(1, math.floor(views * rng.uniform(0.74, 0.9)))
            origins = _origins(article, day, views, unique, rng)
            made.origins += origins
            made.daily.append(
                DailyView(
                    article=article,
                    day=day,
                    views=views,
                    unique_readers=unique,
                    origins=len(origins),
                )
            )
            if days_ago < READ_DEPTH_DAYS:
                _read_depth(made, article, day, unique, sections, completion, rng)
            if days_ago < PATH_DAYS:
                made.paths += _paths(article, day, unique, onward[article.pk])
    return made


def _related(ordered: list[Article]) -> dict[int, list[Article]]:
    """Where each article's readers go on to: the articles sharing a tag with it (its
    "Related" links), most read first; the three most read others when none does."""
    tags = {article.pk: set(article.tags.names()) for article in ordered}
    related = {}
    for article in ordered:
        others = [other for other in ordered if other.pk != article.pk]
        sharing = [other for other in others if tags[article.pk] & tags[other.pk]]
        related[article.pk] = sharing or others[:3]
    return related


def _paths(article, day, unique, related) -> list[tuple[int, date, int, int]]:
    """A day's readers of `article` who went on to another, spread over `related` (those
    published by then), the better read ones chosen more. Its own generator, so the other
    figures stay what they were."""
    targets = [
        other
        for other in related
        if other.published_at is not None and other.published_at.date() <= day
    ]
    if not targets:
        return []
    rng = random.Random(_seed("paths", article.slug, day))
    went = round(unique * rng.uniform(*ONWARD_SHARE))
    weights = [rng.uniform(0.5, 1.5) / (position + 1) for position in range(len(targets))]
    return [
        (article.pk, day, other.pk, readers)
        for other, readers in zip(targets, _split(went, weights), strict=True)
        if readers
    ]


@dataclass
class DemoSearches:
    # As the flush writes them (searches_upsert, search_opens_upsert).
    searches: list[tuple[date, str, int, int]] = field(default_factory=list)
    opens: list[tuple[date, str, int, int, int]] = field(default_factory=list)


def demo_searches(*, today: date) -> DemoSearches:
    """SEARCHES over the last SEARCH_DAYS days: each day's count with the weekly rhythm,
    the articles the site's own search finds for it, and the results readers opened (the
    first more often than the second)."""
    made = DemoSearches()
    for query, daily, opened_share in SEARCHES:
        found = list(article_search(text=query).values_list("pk", flat=True)[:2])
        results = article_search_count(text=query)
        rng = random.Random(_seed("searches", query))
        for days_ago in range(SEARCH_DAYS):
            day = today - timedelta(days=days_ago)
            searches = round(daily * WEEKLY_RHYTHM[day.weekday()] * rng.lognormvariate(0, 0.5))
            if not searches:
                continue
            made.searches.append((day, query, searches, results))
            opened = round(searches * opened_share * rng.uniform(0.8, 1.2)) if found else 0
            for position, count in enumerate(_split(opened, [0.75, 0.25][: len(found)]), 1):
                if count:
                    made.opens.append((day, query, found[position - 1], count, count * position))
    return made


def _read_depth(made, article, day, unique, sections, completion, rng) -> None:
    readers = round(unique * rng.uniform(0.35, 0.5))  # not every browser reports
    if not readers:
        return
    done = min(readers, round(readers * completion * rng.uniform(0.9, 1.1)))
    made.depth.append(ReadDepthDay(article=article, day=day, readers=readers, completions=done))
    _engaged(made, article, day, readers, done)
    # Reach falls from nearly everyone at the first section to those who finish.
    last = len(sections) - 1
    reached = readers
    for position, (anchor, heading) in enumerate(sections, start=1):
        share = 0.96 - (0.96 - completion) * ((position - 1) / last if last else 1)
        reached = min(reached, max(done, round(readers * share * rng.uniform(0.97, 1.03))))
        made.reaches.append(
            SectionReach(
                article=article,
                day=day,
                position=position,
                anchor=anchor,
                heading=heading,
                readers=reached,
            )
        )


def _split(total: int, shares: list[float]) -> list[int]:
    """`total` in parts proportional to `shares` (largest remainders), summing to it."""
    exact = [total * share / sum(shares) for share in shares]
    parts = [math.floor(x) for x in exact]
    by_remainder = sorted(range(len(shares)), key=lambda i: exact[i] - parts[i], reverse=True)
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _origins(article, day, views, unique, rng) -> list[DailyOrigin]:
    """A day's views of an article split by source, then by device, with some noise."""
    rows = []
    sources = _split(views, [share * rng.uniform(0.7, 1.3) for _, share in SOURCES])
    # Each reader is counted under the way they first came, so the parts add up to the
    # day's unique readers exactly (largest remainders, in proportion to the views).
    source_readers = _split(unique, [float(n) for n in sources])
    for ((source, medium, campaign), _), from_source, readers in zip(
        SOURCES, sources, source_readers, strict=True
    ):
        devices = _split(from_source, [share * rng.uniform(0.8, 1.2) for _, share in DEVICES])
        device_readers = _split(readers, [float(n) for n in devices]) if from_source else devices
        for ((device, browser, os), _), count, count_readers in zip(
            DEVICES, devices, device_readers, strict=True
        ):
            if not count:
                continue
            rows.append(
                DailyOrigin(
                    article=article,
                    day=day,
                    source=source,
                    medium=medium,
                    campaign=campaign,
                    device=device,
                    browser=browser,
                    os=os,
                    views=count,
                    unique_readers=count_readers,
                )
            )
    return rows


def _engaged(made, article, day, readers, done) -> None:
    """The day's engaged time: finishers about the reading time, the others a part of it.
    Its own generator, so the other figures stay what they were."""
    rng = random.Random(_seed("engaged", article.slug, day))
    full = max(1, article.reading_time) * 60
    counts: dict[int, list[int]] = {}
    for reader in range(readers):
        seconds = round(full * (rng.uniform(0.6, 1.4) if reader < done else rng.uniform(0.03, 0.7)))
        count = counts.setdefault(bucket_of(seconds), [0, 0])
        count[0] += 1
        count[1] += seconds >= half_reading_seconds(article.reading_time)
    made.engaged += [
        EngagedTimeDay(article=article, day=day, bucket=bucket, readers=n, half_readers=half)
        for bucket, (n, half) in counts.items()
    ]
