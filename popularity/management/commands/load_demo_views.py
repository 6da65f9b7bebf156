"""Demo readership for the demo articles, so Popular Posts and the statistics show at once."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from articles.cache import content_changed
from articles.models import Article
from popularity.closed_days import closed_days_changed
from popularity.counting.flush import paths_upsert
from popularity.counting.searches import search_opens_upsert, searches_upsert
from popularity.demo import HISTORY_DAYS, demo_readership, demo_searches
from popularity.models import (
    ArticleTotal,
    DailyOrigin,
    DailyView,
    EngagedTimeDay,
    ReadDepthDay,
    SectionReach,
    SiteDailyOrigin,
)
from popularity.read_depth import tag_sums_rebuild


class Command(BaseCommand):
    help = (
        f"Give the published articles up to {HISTORY_DAYS} days of made-up readership shaped "
        "like a real site's (a few hits and a long tail, a weekly rhythm, launch bumps, read "
        "depth, sources and devices, reading paths, site searches); local use only. Does "
        "nothing once any view has been recorded, so real counts are never mixed in."
    )

    def handle(self, *args, **options) -> None:
        if DailyView.objects.exists():
            self.stdout.write("demo views: real or demo views already recorded, left alone")
            return
        articles = list(Article.objects.published().order_by("published_at", "pk"))
        today = timezone.localdate()
        made = demo_readership(articles=articles, today=today)
        with transaction.atomic():
            DailyView.objects.bulk_create(made.daily, batch_size=2000)
            ArticleTotal.objects.bulk_create(made.totals())
            ReadDepthDay.objects.bulk_create(made.depth, batch_size=2000)
            SectionReach.objects.bulk_create(made.reaches, batch_size=2000)
            EngagedTimeDay.objects.bulk_create(made.engaged, batch_size=2000)
            tag_sums_rebuild()
            DailyOrigin.objects.bulk_create(made.origins, batch_size=2000)
            SiteDailyOrigin.objects.bulk_create(made.site_origins(), batch_size=2000)
            # Paths and searches through the flush's own statements.
            if made.paths:
                paths_upsert(made.paths)
            searches = demo_searches(today=today)
            searches_upsert(searches.searches)
            search_opens_upsert(searches.opens)
        # Views written behind the signals' back: pages and rankings start anew.
        content_changed()
        closed_days_changed()
        self.stdout.write(
            f"demo views: {len(made.daily)} daily rows, {len(made.depth)} read-depth days, "
            f"{len(made.paths)} reading paths for {len(articles)} articles; "
            f"{len(searches.searches)} days' searches"
        )
