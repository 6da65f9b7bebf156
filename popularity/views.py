"""Reader-facing /popular/ page, and the site owners' statistics pages inside the admin."""

from __future__ import annotations

import csv
from datetime import timedelta

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.views.generic import TemplateView, View

from articles.cache import cache_public_page
from articles.models import Article

from .analysis import SPIKE_BASELINE_DAYS, Period, percent_change, spikes
from .article_statistics import peer_comparison, spikes_with_agents
from .charts import line_chart
from .export import CSV_HEADER, csv_row
from .forms import PRESETS, PeriodForm
from .rankings import Window, ranking_cached
from .read_depth import article_top_sections, read_depth_summary
from .statistics import (
    refresh_candidates,
    stats_articles,
    stats_daily,
    stats_previous_views,
    stats_tags,
)

POPULAR_PAGE_SIZE = 20
TABLE_PAGE_SIZE = 50  # articles per page of the dashboard's table; the CSV has them all
STATISTICS_PERMISSION = "popularity.view_statistics"


# Kept whole per content version and ranking period (both are in the ETag).
@method_decorator(cache_public_page(extended=True), name="get")
class PopularView(TemplateView):
    """Most read articles, one window per tab (plain links: works without JavaScript)."""

    template_name = "popularity/popular.html"

    def get_context_data(self, **kwargs):
        window = kwargs.pop("window", Window.TRENDING)
        if window not in Window.values:
            raise Http404("No such ranking.")
        window = Window(window)
        return super().get_context_data(
            window=window,
            windows=list(Window),
            articles=ranking_cached(window=window, limit=POPULAR_PAGE_SIZE, request=self.request),
            **kwargs,
        )


class StatisticsAccessMixin(PermissionRequiredMixin):
    """Staff with `popularity.view_statistics` (Site owners); others get 403.

    The URLs wrap these views in admin.site.admin_view, which sends anonymous visitors
    and non-staff to the admin login first.
    """

    request: HttpRequest  # set by the view this is mixed into
    permission_required = STATISTICS_PERMISSION
    raise_exception = True

    def period_form(self) -> PeriodForm:
        return PeriodForm(self.request.GET)

    def admin_context(self, **kwargs) -> dict:
        form = self.period_form()
        period = form.period()
        return {
            **admin.site.each_context(self.request),
            "form": form,
            "period": period,
            "presets": PRESETS,
            "active_preset": form.active_preset(),
            **kwargs,
        }


def _totals(points, previous_views):
    views = sum(p.views for p in points)
    return {
        "views": views,
        "unique_readers": sum(p.unique_readers for p in points),
        "previous_views": previous_views,
        "change": percent_change(views, previous_views),
    }


class StatisticsView(StatisticsAccessMixin, TemplateView):
    template_name = "popularity/admin/statistics.html"

    def get_context_data(self, **kwargs):
        context = self.admin_context(title="Site statistics")
        period: Period = context["period"]
        points = stats_daily(period=period)
        rows = Paginator(stats_articles(period=period), TABLE_PAGE_SIZE)
        page = rows.get_page(self.request.GET.get("page"))
        context.update(
            points=points,
            chart=line_chart(points),
            totals=_totals(points, stats_previous_views(period=period)),
            rows=page.object_list,
            page=page,
            tags=stats_tags(period=period),
            refresh=refresh_candidates(),
            query_string=self._query_without_page(),
        )
        return context

    def _query_without_page(self) -> str:
        query = self.request.GET.copy()
        query.pop("page", None)
        return query.urlencode()


class ArticleStatisticsView(StatisticsAccessMixin, TemplateView):
    template_name = "popularity/admin/article_statistics.html"

    def get_context_data(self, **kwargs):
        article = get_object_or_404(Article, pk=kwargs["article_id"])
        context = self.admin_context(title=f"Statistics: {article.title}", article=article)
        period: Period = context["period"]
        # The days before the period too, in the same query: each day's usual level.
        history = stats_daily(
            period=Period(start=period.start - timedelta(days=SPIKE_BASELINE_DAYS), end=period.end),
            article_id=article.pk,
        )
        points = history[SPIKE_BASELINE_DAYS:]
        previous = stats_previous_views(period=period, article_id=article.pk)
        context.update(
            points=points,
            spikes=spikes_with_agents(
                article_id=article.pk,
                found=spikes(
                    points=history,
                    since=period.start,
                    factor=settings.POPULARITY_SPIKE_FACTOR,
                    least=settings.POPULARITY_SPIKE_MIN_VIEWS,
                ),
            ),
            bot_share=settings.POPULARITY_SPIKE_AGENT_SHARE * 100,
            chart=line_chart(points),
            totals=_totals(points, previous),
            peers=peer_comparison(article=article),
            depth=read_depth_summary(
                period=period,
                article_id=article.pk,
                current_sections=article_top_sections(article_id=article.pk),
            ),
            query_string=self.request.GET.urlencode(),
        )
        return context


class StatisticsExportView(StatisticsAccessMixin, View):
    def get(self, request, *args, **kwargs):
        period = self.period_form().period()
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="statistics-{period.start}-to-{period.end}.csv"'
        )
        writer = csv.writer(response)
        writer.writerow(CSV_HEADER)
        for row in stats_articles(period=period):
            writer.writerow(csv_row(row))
        return response
