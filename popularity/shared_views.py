"""The statistics behind a shared read-only link (popularity/sharing.py): no account, no
cookie, nothing beyond the link's scope."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from articles.models import Article

from .analysis import change_text
from .breakdowns import NO_FILTERS, Filters, stats_breakdowns
from .forms import PeriodForm
from .models import SharedStatsLink
from .sharing import shared_link_for_token
from .statistics import (
    stats_article_ranking,
    stats_article_rows,
    stats_daily,
    stats_previous_views,
)

SHARED_ARTICLES = 20
SHARED_SOURCES = 10
# The presets a shared page offers: no "all time", whose start would say when counting began.
SHARED_PRESETS = {"7": "Last 7 days", "30": "Last 30 days", "90": "Last 90 days"}


@method_decorator(never_cache, name="dispatch")
class SharedStatisticsView(TemplateView):
    """Totals, days, articles (a site or tag link: published ones only) and sources of the
    link's scope, for the last 7, 30 or 90 days."""

    template_name = "popularity/shared.html"

    def get(self, request, *args, **kwargs):
        link = shared_link_for_token(token=kwargs["token"])
        if link is None:
            raise Http404("No such link.")
        response = super().get(request, *args, link=link, **kwargs)
        # The token is the link's whole authority: never sent on to another site.
        response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def get_context_data(self, **kwargs):
        link: SharedStatsLink = kwargs.pop("link")
        preset = self.request.GET.get("range")
        preset = preset if preset in SHARED_PRESETS else "30"
        period = PeriodForm({"range": preset}).period()
        article_id = link.article_id if link.scope == SharedStatsLink.Scope.ARTICLE else None
        filters = (
            Filters(tag=link.tag.slug)
            if link.scope == SharedStatsLink.Scope.TAG and link.tag
            else NO_FILTERS
        )
        points = stats_daily(period=period, article_id=article_id, filters=filters)
        views = sum(point.views for point in points)
        unique_readers = sum(point.unique_readers for point in points)
        if article_id is not None and link.article and link.article.published_at:
            # The days before it was public are not days it went unread.
            first = timezone.localdate(link.article.published_at)
            points = [point for point in points if point.day >= first]
        previous = stats_previous_views(period=period, article_id=article_id, filters=filters)
        rows = []
        if article_id is None:
            ranking = stats_article_ranking(period=period, filters=filters)
            rows = [
                row
                for row in stats_article_rows(
                    period=period,
                    ranked=ranking[:SHARED_ARTICLES],
                    total_views=views,
                    filters=filters,
                )
                # Drafts' and withdrawn articles' titles are not for outside eyes.
                if row.status == Article.Status.PUBLISHED
            ]
        sources = stats_breakdowns(period=period, filters=filters, article_id=article_id)
        return super().get_context_data(
            link=link,
            title=_title(link),
            presets=SHARED_PRESETS,
            active_preset=preset,
            period=period,
            totals={
                "views": views,
                "unique_readers": unique_readers,
                "previous_views": previous,
                "change": change_text(views, previous),
            },
            points=points,
            rows=rows,
            sources=sources["sources"][:SHARED_SOURCES],
        )


def _title(link: SharedStatsLink) -> str:
    if link.scope == SharedStatsLink.Scope.ARTICLE and link.article:
        return link.article.title
    if link.scope == SharedStatsLink.Scope.TAG and link.tag:
        return f"Articles tagged “{link.tag.name}”"
    return "The whole site"
