"""Reader-facing /popular/ page, and the site owners' statistics pages inside the admin."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView, View

from articles.cache import cache_public_page
from articles.models import Article

from .analysis import (
    SPIKE_BASELINE_DAYS,
    DayPoint,
    Period,
    change_text,
    chart_note,
    known_from,
    points_since,
    spikes,
)
from .article_statistics import article_first_day, peer_comparison, spikes_with_agents
from .breakdowns import PANELS, Filters, stats_breakdowns
from .charts import chart_days, history_period, line_chart, previous_points
from .engaged import IDLE_SECONDS, article_engagement, tag_engagement
from .export import (
    ARTICLE_PATHS_CSV_HEADER,
    CSV_HEADER,
    LEAST_READ_CSV_HEADER,
    PAIRS_CSV_HEADER,
    article_path_csv_rows,
    breakdown_header,
    breakdown_row,
    csv_row,
    least_read_row,
    pair_csv_row,
)
from .filters import TagShown, filter_links, filter_query, panels_shown, tags_shown
from .forms import PRESETS, FilterForm, PeriodForm
from .least_read import (
    LEAST_READ_MIN_AGE_DAYS,
    LEAST_READ_MIN_REPORTS,
    LEAST_READ_SHOWN,
    least_read,
)
from .live import live_now
from .markers import article_markers, publications_in_period
from .notes import notes_in_period, points_with_notes
from .paths import article_onward, article_paths, top_pairs
from .rankings import Window, popular_url, ranking_cached
from .read_depth import article_top_sections, read_depth_summary
from .searches import (
    ARTICLE_SEARCHES_CSV_HEADER,
    GAPS_CSV_HEADER,
    article_search_csv_row,
    article_searches,
    content_gaps,
    gap_csv_row,
)
from .statistics import (
    RankedArticle,
    refresh_candidates,
    stats_article_ranking,
    stats_article_rows,
    stats_articles,
    stats_daily,
    stats_previous_views,
    tag_name,
    tags_of_ranking,
)

POPULAR_PAGE_SIZE = 20
TABLE_PAGE_SIZE = 50  # articles per page of the dashboard's table; the CSV has them all
STATISTICS_PERMISSION = "popularity.view_statistics"


# Kept whole per listed version and ranking period (both are in the ETag).
@method_decorator(cache_public_page(extended=True), name="get")
class PopularView(TemplateView):
    """Most read articles, one window per tab (plain links: works without JavaScript).

    Each ranking has one address, its canonical one: /popular/trending/ (the same page as
    /popular/) moves there for good, so search engines never see two copies.
    """

    template_name = "popularity/popular.html"

    def get(self, request, *args, **kwargs):
        if kwargs.get("window") == Window.TRENDING:
            return HttpResponsePermanentRedirect(popular_url(Window.TRENDING))
        return super().get(request, *args, **kwargs)

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

    def filter_form(self) -> FilterForm:
        return FilterForm(self.request.GET)

    def admin_context(self, **kwargs) -> dict:
        form = self.period_form()
        period = form.period()
        filter_form = self.filter_form()
        filters = filter_form.filters()
        tag = tag_name(slug=filters.tag) if filters.tag else ""
        return {
            **admin.site.each_context(self.request),
            "form": form,
            "period": period,
            "counted_since": form.counted_since,
            "presets": PRESETS,
            "active_preset": form.active_preset(),
            "filter_form": filter_form,
            "filters": filters,
            "filter_links": filter_links(self.request.GET, filters, tag_name=tag),
            "tag_name": tag,
            # Appended to the period's links, so choosing a period keeps the filters.
            "filter_query": filter_query(filters),
            **kwargs,
        }


def _chart(
    points: list[DayPoint],
    *,
    since: date | None,
    note: str,
    previous: list[DayPoint | None],
    published: dict[date, list[str]],
) -> dict:
    """The chart and daily table of the days from `since` (None: no day has figures);
    `previous` faces each of `points` (see previous_points), `published` marks days."""
    shown = points_since(points, since)
    facing = previous[len(previous) - len(shown) :]
    chart = line_chart(shown, facing) if shown else None
    days = chart_days(chart, shown, previous=facing, published=published) if chart else []
    return {"points": shown, "chart": chart, "chart_days": days, "chart_note": note}


def _facing(history: list[DayPoint], period: Period, since: date | None) -> list[DayPoint | None]:
    if period.previous is None:
        return [None] * period.days
    return previous_points(history, days=period.days, since=since)


def _totals(points, previous_views):
    views = sum(p.views for p in points)
    return {
        "views": views,
        "unique_readers": sum(p.unique_readers for p in points),
        "previous_views": previous_views,
        "change": change_text(views, previous_views),
    }


class StatisticsView(StatisticsAccessMixin, TemplateView):
    template_name = "popularity/admin/statistics.html"

    def get_context_data(self, **kwargs):
        context = self.admin_context(title="Site statistics")
        period: Period = context["period"]
        filters: Filters = context["filters"]
        history = stats_daily(period=history_period(period), filters=filters)
        points = history[-period.days :]
        # Ranked once; the table's page gets its titles and figures, the tags its sums.
        ranking = stats_article_ranking(period=period, filters=filters)
        page = Paginator(ranking, TABLE_PAGE_SIZE).get_page(self.request.GET.get("page"))
        context.update(
            **_chart(
                points_with_notes(points, notes_in_period(period=period)),
                since=context["counted_since"],
                note=chart_note(period=period, counted_since=context["counted_since"]),
                previous=_facing(history, period, context["counted_since"]),
                published=publications_in_period(period=period),
            ),
            totals=_totals(points, stats_previous_views(period=period, filters=filters)),
            rows=stats_article_rows(
                period=period,
                ranked=page.object_list,
                first_rank=page.start_index(),
                total_views=sum(item.views for item in ranking),
                filters=filters,
            ),
            page=page,
            tags=self._tags(period, ranking),
            breakdowns=panels_shown(
                stats_breakdowns(period=period, filters=filters), self.request.GET
            ),
            live=live_now(),
            refresh=refresh_candidates(),
            # The candidates' own window, whatever the period chosen above.
            refresh_window_days=settings.POPULARITY_REFRESH_WINDOW_DAYS,
            least_read=least_read(period=period, ranking=ranking, filters=filters),
            least_read_shown=LEAST_READ_SHOWN,
            least_read_min_age=LEAST_READ_MIN_AGE_DAYS,
            least_read_min_reports=LEAST_READ_MIN_REPORTS,
            gaps=content_gaps(period=period),
            pairs=top_pairs(period=period),
            can_write=self.request.user.has_perm("articles.add_article"),
            query_string=self._query_without_page(),
        )
        return context

    def _query_without_page(self) -> str:
        query = self.request.GET.copy()
        query.pop("page", None)
        return query.urlencode()

    def _tags(self, period: Period, ranking: list[RankedArticle]) -> list[TagShown]:
        """Tags by views, each with what its readers did (engaged time, completion)."""
        tags = tags_of_ranking(ranking)
        engagement = tag_engagement(period=period, slugs=[tag.slug for tag in tags])
        return tags_shown(tags, self.request.GET, engagement=engagement)


class ArticleStatisticsView(StatisticsAccessMixin, TemplateView):
    template_name = "popularity/admin/article_statistics.html"

    def get_context_data(self, **kwargs):
        article = get_object_or_404(Article, pk=kwargs["article_id"])
        context = self.admin_context(title=f"Statistics: {article.title}", article=article)
        period: Period = context["period"]
        filters: Filters = context["filters"]
        # The days before the period too, in the same query: each day's usual level.
        history = stats_daily(
            period=history_period(period, at_least=SPIKE_BASELINE_DAYS),
            article_id=article.pk,
            filters=filters,
        )
        first_day = article_first_day(article=article)
        since = known_from(first_day=first_day, counted_since=context["counted_since"])
        points = history[-period.days :]
        previous = stats_previous_views(period=period, article_id=article.pk, filters=filters)
        depth = read_depth_summary(
            period=period,
            article_id=article.pk,
            current_sections=article_top_sections(article_id=article.pk),
        )
        context.update(
            **_chart(
                points_with_notes(points, notes_in_period(period=period, article_id=article.pk)),
                since=since,
                note=chart_note(
                    period=period,
                    counted_since=context["counted_since"],
                    first_day=first_day,
                    article=True,
                ),
                previous=_facing(history, period, since),
                published=article_markers(article=article, period=period),
            ),
            spikes=spikes_with_agents(
                article_id=article.pk,
                found=spikes(
                    points=history[-(period.days + SPIKE_BASELINE_DAYS) :],
                    since=period.start,
                    first_day=since,
                    factor=settings.POPULARITY_SPIKE_FACTOR,
                    least=settings.POPULARITY_SPIKE_MIN_VIEWS,
                ),
            ),
            bot_share=settings.POPULARITY_SPIKE_AGENT_SHARE * 100,
            totals=_totals(points, previous),
            peers=peer_comparison(article=article, counted_since=context["counted_since"]),
            depth=depth,
            engagement=article_engagement(
                period=period,
                article_id=article.pk,
                reading_time=article.reading_time,
                depth_readers=depth.readers,
                completions=depth.completions,
            ),
            idle_seconds=IDLE_SECONDS,
            breakdowns=panels_shown(
                stats_breakdowns(period=period, filters=filters, article_id=article.pk),
                self.request.GET,
            ),
            searches=article_searches(period=period, article_id=article.pk),
            paths=article_paths(period=period, article_id=article.pk),
            onward=article_onward(period=period, article_id=article.pk),
            query_string=self.request.GET.urlencode(),
        )
        return context


class StatisticsExportView(StatisticsAccessMixin, View):
    def get(self, request, *args, **kwargs):
        form = self.period_form()
        if refused := _dates_refused(form):
            return refused
        period = form.period()
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="statistics-{period.start}-to-{period.end}.csv"'
        )
        writer = csv.writer(response)
        writer.writerow(CSV_HEADER)
        for row in stats_articles(period=period, filters=self.filter_form().filters()):
            writer.writerow(csv_row(row))
        return response


class BreakdownExportView(StatisticsAccessMixin, View):
    """One panel (sources, devices …) as CSV, every row, with the page's period and filters;
    `?article=<id>` for one article's."""

    def get(self, request, *args, **kwargs):
        panel = kwargs["panel"]
        if panel not in PANELS:
            raise Http404("No such table.")
        article_id = None
        if request.GET.get("article"):
            article_id = get_object_or_404(Article, pk=_whole_number(request.GET["article"])).pk
        form = self.period_form()
        if refused := _dates_refused(form):
            return refused
        period = form.period()
        rows = stats_breakdowns(
            period=period, filters=self.filter_form().filters(), article_id=article_id
        )[panel]
        scope = f"article-{article_id}-" if article_id else ""
        name = f"{panel}-{scope}{period.start}-to-{period.end}"
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        writer = csv.writer(response)
        writer.writerow(breakdown_header(panel))
        writer.writerows(breakdown_row(panel, row) for row in rows)
        return response


class _SiteOrArticleExportView(StatisticsAccessMixin, View):
    """A CSV of the page's period for the site, or with `?article=<id>` for one article:
    subclasses say its file name, header and rows."""

    def table(self, period: Period, article_id: int | None) -> tuple[str, list[str], Iterable]:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        article_id = None
        if request.GET.get("article"):
            article_id = get_object_or_404(Article, pk=_whole_number(request.GET["article"])).pk
        form = self.period_form()
        if refused := _dates_refused(form):
            return refused
        period = form.period()
        name, header, rows = self.table(period, article_id)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="{name}-{period.start}-to-{period.end}.csv"'
        )
        writer = csv.writer(response)
        writer.writerow(header)
        writer.writerows(rows)
        return response


class SearchesExportView(_SiteOrArticleExportView):
    """The content gaps as CSV, every row, for the page's period; `?article=<id>` for the
    searches that lead to one article."""

    def table(self, period, article_id):
        if article_id is not None:
            items = article_searches(period=period, article_id=article_id, limit=None)
            rows = [article_search_csv_row(item) for item in items]
            return f"searches-article-{article_id}", ARTICLE_SEARCHES_CSV_HEADER, rows
        rows = [gap_csv_row(gap) for gap in content_gaps(period=period, limit=None)]
        return "content-gaps", GAPS_CSV_HEADER, rows


class PathsExportView(_SiteOrArticleExportView):
    """The site's "read A, then B" pairs as CSV, every pair, for the page's period;
    `?article=<id>` for where one article's readers came from and went next. Paths have
    no source, device or country: the filters do not apply (the pages say so)."""

    def table(self, period, article_id):
        if article_id is not None:
            found = article_paths(period=period, article_id=article_id, limit=None)
            return (
                f"paths-article-{article_id}",
                ARTICLE_PATHS_CSV_HEADER,
                article_path_csv_rows(found),
            )
        rows = [pair_csv_row(pair) for pair in top_pairs(period=period, limit=None)]
        return "paths", PAIRS_CSV_HEADER, rows


class LeastReadExportView(StatisticsAccessMixin, View):
    """Every article the "least read" rule judges, fewest readers a day first, as CSV."""

    def get(self, request, *args, **kwargs):
        form = self.period_form()
        if refused := _dates_refused(form):
            return refused
        period = form.period()
        filters = self.filter_form().filters()
        ranking = stats_article_ranking(period=period, filters=filters)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        name = f"least-read-{period.start}-to-{period.end}"
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        writer = csv.writer(response)
        writer.writerow(LEAST_READ_CSV_HEADER)
        items = least_read(period=period, ranking=ranking, filters=filters, limit=None)
        writer.writerows(least_read_row(item) for item in items)
        return response


def _dates_refused(form: PeriodForm) -> HttpResponse | None:
    """A 400 saying what is wrong with the dates, for a CSV: the page shows the form's
    errors beside the default period; a file must not carry that period under dates that
    look chosen."""
    if form.is_valid():
        return None
    errors = [str(message) for messages in form.errors.values() for message in messages]
    return HttpResponseBadRequest("\n".join(errors), content_type="text/plain; charset=utf-8")


def _whole_number(value: str) -> int:
    if not (value.isascii() and value.isdigit() and len(value) < 19):
        raise Http404("No such article.")
    return int(value)


@method_decorator(never_cache, name="dispatch")
class LiveView(StatisticsAccessMixin, View):
    """The "right now" panel's figures, fetched by statistics-live.js every 30 seconds."""

    def get(self, request, *args, **kwargs):
        live = live_now()
        return JsonResponse(
            {
                "readers_5": live.readers_5,
                "readers_30": live.readers_30,
                "articles": [
                    {
                        "title": a.title,
                        "url": reverse("statistics:article", kwargs={"article_id": a.article_id}),
                        "readers_5": a.readers_5,
                        "readers_30": a.readers_30,
                    }
                    for a in live.articles
                ],
                "sources": None
                if live.sources is None
                else [{"source": s, "views": v} for s, v in live.sources],
            }
        )
