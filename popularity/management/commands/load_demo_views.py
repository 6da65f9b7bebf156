"""Demo readership for the demo articles, so Popular Posts and the statistics show at once."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from articles.cache import content_changed
from articles.models import Article
from popularity.models import ArticleTotal, DailyView

DAYS = 60


class Command(BaseCommand):
    help = (
        "Give the published demo articles 60 days of made-up daily views (local use only). "
        "Does nothing once any view has been recorded, so real counts are never mixed in."
    )

    def handle(self, *args, **options) -> None:
        if DailyView.objects.exists():
            self.stdout.write("demo views: real or demo views already recorded, left alone")
            return
        today = timezone.localdate()
        articles = list(Article.objects.published().order_by("published_at", "pk"))
        rows = []
        for rank, article in enumerate(articles):
            first = max(article.published_at.date(), today - timedelta(days=DAYS - 1))
            for offset in range((today - first).days + 1):
                day = first + timedelta(days=offset)
                # Newer articles start strong and settle; a deterministic wobble per day.
                age = (day - article.published_at.date()).days
                views = 8 + (rank * 7) % 23 + max(0, 40 - age) + (day.toordinal() * 13 + rank) % 9
                rows.append(
                    DailyView(article=article, day=day, views=views, unique_readers=views * 3 // 4)
                )
        with transaction.atomic():
            DailyView.objects.bulk_create(rows)
            totals: dict[int, int] = {}
            for row in rows:
                totals[row.article_id] = totals.get(row.article_id, 0) + row.views
            ArticleTotal.objects.bulk_create(
                [ArticleTotal(article_id=pk, views=views) for pk, views in totals.items()]
            )
        # Views written behind the signals' back: pages and rankings start anew.
        content_changed()
        self.stdout.write(f"demo views: {len(rows)} daily rows for {len(articles)} articles")
