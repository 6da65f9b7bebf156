"""The editors' workplace: articles with their sections, preview, history, tags and import.

Writes go through articles.services; every save keeps a django-reversion revision that the
history page can compare (django-reversion-compare) and restore. The popularity app
registers a subclass with its views columns in place of this one (popularity/admin.py).
"""

from __future__ import annotations

import reversion
from csp.constants import SELF
from csp.decorators import csp_replace
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.views.decorators.clickjacking import xframe_options_sameorigin
from js_asset import Media as NonceMedia
from reversion.models import Version
from reversion_compare.admin import CompareVersionAdmin
from taggit.models import Tag

from .. import services
from ..images import file_delete_on_commit
from ..models import Article, Section
from ..preview import ArticlePreviewView
from .authors import ArticleAuthorInline, first_author_initial
from .autosave import ArticleAutosaveMixin
from .concurrency import ArticleConcurrencyMixin
from .deferred import NOT_READY, ready_to_publish
from .display import when
from .filters import PublicationFilter, TagFilter
from .forms import ArticleAdminForm
from .guide import editing_guide
from .history import ArticleHistoryMixin
from .importing import MarkdownImportForm
from .medical_review import MedicalReviewAdminMixin, MedicalReviewFilter
from .publishing import PublishingChecksMixin
from .review import ArticleReviewMixin
from .scheduling import ScheduleAdminMixin
from .sections import SectionInline
from .sources import SourceInline

# Article.Meta.permissions; `manage.py setup_roles` gives it to site owners.
DELETE_PUBLISHED_PERMISSION = "articles.delete_published_article"


@admin.register(Article)
class ArticleAdmin(
    MedicalReviewAdminMixin,
    ArticleReviewMixin,
    ArticleAutosaveMixin,
    PublishingChecksMixin,
    ArticleConcurrencyMixin,
    ScheduleAdminMixin,
    ArticleHistoryMixin,
    CompareVersionAdmin,
):
    form = ArticleAdminForm
    inlines = [ArticleAuthorInline, SectionInline, SourceInline]
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ["visibility", "recent_changes"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "standfirst"]}),
        ("Cover image", {"fields": ["cover", "cover_alt", "cover_caption"]}),
        (
            "Publishing",
            {
                "fields": [
                    "status",
                    "published_at",
                    "visibility",
                    "featured",
                    "author",
                    "tags",
                    "primary_tag",
                ]
            },
        ),
    ]
    # What an editor scans a list for (popularity adds the views after the date). Author, tags
    # and featured are filters; the public or preview link is on the change form.
    list_display = ["title", "status_label", "published_at"]
    list_filter = [
        PublicationFilter,
        MedicalReviewFilter,
        TagFilter,
        "featured",
        ("author", admin.RelatedOnlyFieldListFilter),
        ("published_at", admin.DateFieldListFilter),
    ]
    search_fields = ["title", "standfirst", "tags__name"]
    search_help_text = "Search titles, standfirsts and tags."
    list_per_page = 50
    actions = ["publish_selected", "unpublish_selected", "feature_selected", "unfeature_selected"]
    history_latest_first = True
    save_on_top = True

    class Media:
        css = {"all": ["articles/admin/editing.css"]}
        js = ["articles/admin/editing.js"]

    # -- change list ---------------------------------------------------------

    def render_change_form(self, request, context, *args, **kwargs):
        # The rich-text editor loads through an inline import map: give it this response's
        # CSP nonce so the policy can keep refusing every other inline script.
        context["media"] = NonceMedia.from_media(context["media"], nonce=str(request.csp_nonce))
        return super().render_change_form(request, context, *args, **kwargs)

    @admin.display(description="Status", ordering="status")
    def status_label(self, obj: Article) -> str:
        if obj.is_scheduled:
            key, text = "scheduled", "Scheduled"
        elif obj.is_expired:
            key, text = "expired", "Unpublished"
        elif obj.is_public:
            key, text = "published", "Published"
        else:
            key, text = "draft", "Draft"
        status = format_html('<span class="article-status article-status-{}">{}</span>', key, text)
        # The medical review's state under it (no column of its own: titles keep the room).
        if review := self.medical_review_badge(obj):
            return format_html("{}<br>{}", status, review)
        return status

    def view_on_site(self, obj: Article) -> str | None:
        # Drafts and scheduled articles have a Preview link instead.
        return obj.get_absolute_url() if obj.is_public else None

    # -- change form ---------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None:
            # Asked beside the words: whether this save changes what readers are told.
            fieldsets[0] = (None, {"fields": [*fieldsets[0][1]["fields"], "substantive_change"]})
            fieldsets.append(("Recent changes", {"fields": ["recent_changes"]}))
        return fieldsets

    def get_changeform_initial_data(self, request):
        initial = {"author": request.user.pk, **super().get_changeform_initial_data(request)}
        if initial.get("title") and not initial.get("slug"):
            # A title given in the address ("Write this" on the statistics page) comes with
            # its address: the admin's prepopulate script fills the slug only as one types,
            # so the draft could not be saved as it opened.
            initial["slug"] = services.article_slug_free(title=str(initial["title"]))
        return initial

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, ArticleAuthorInline) and obj.pk is None and request.method == "GET":
            # A new article is its creator's: their author profile starts the byline.
            kwargs["initial"] = first_author_initial(request)
        return kwargs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "author":
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="Readers see it")
    def visibility(self, obj: Article) -> str:
        if obj.pk is None:
            return "Not yet: it is new."
        if obj.is_expired:
            return f"No longer: it was unpublished at {when(obj.expires_at)}."
        until = f", until {when(obj.expires_at)}" if obj.expires_at else ""
        if obj.is_public:
            return f"Yes, since {when(obj.published_at)}{until}."
        if obj.is_scheduled:
            return (
                f"From {when(obj.published_at)}{until}: it is scheduled and will appear by itself."
            )
        return "No: it is a draft."

    @admin.display(description="Who changed what, and when")
    def recent_changes(self, obj: Article) -> str:
        versions = Version.objects.get_for_object(obj).select_related("revision__user")[:5]
        rows = format_html_join(
            "",
            "<li><time>{}</time> · {} · {}</li>",
            (
                (
                    when(version.revision.date_created),
                    version.revision.user or "someone",
                    version.revision.get_comment() or "Saved.",
                )
                for version in versions
            ),
        )
        history = reverse("admin:articles_article_history", args=[obj.pk])
        return format_html(
            '<ul class="recent-changes">{}</ul><a href="{}">All changes: compare and restore</a>',
            rows or format_html("<li>{}</li>", "No saved changes yet."),
            history,
        )

    def save_model(self, request, obj, form, change):
        replaced = form.initial.get("cover") if change and "cover" in form.changed_data else None
        if getattr(form, "cover_missing", False):
            messages.warning(
                request,
                "The cover image of that version no longer exists; please choose a cover again.",
            )
        super().save_model(request, obj, form, change)
        if replaced:
            file_delete_on_commit(storage=obj.cover.storage, name=replaced.name)
        if change and "slug" in form.changed_data and form.initial.get("status") == "published":
            # Readers may have linked to the old address: keep it answering with a 301.
            services.article_slug_redirect_create(article=obj, old_slug=form.initial["slug"])
            messages.info(request, f"/articles/{form.initial['slug']}/ now redirects here.")

    #: What readers read: a change to any of it is an update they are told about.
    TEXT_FIELDS = {"title", "standfirst"}

    def save_related(self, request, form, formsets, change):
        # Asked before saving: a saved formset no longer knows what changed.
        text_changed = bool(self.TEXT_FIELDS & set(form.changed_data)) or any(
            formset.has_changed() for formset in formsets if formset.model is Section
        )
        super().save_related(request, form, formsets, change)
        if change and text_changed:
            services.article_text_revised(
                article=form.instance,
                substantive=bool(form.cleaned_data.get("substantive_change")),
            )

    def response_add(self, request, obj, post_url_continue=None):
        self._tell_about_schedule(request, obj)
        if "_saveandpreview" in request.POST:
            return HttpResponseRedirect(self.preview_url(obj))
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        self._tell_about_schedule(request, obj)
        if "_saveandpreview" in request.POST:
            return HttpResponseRedirect(self.preview_url(obj))
        return super().response_change(request, obj)

    def _tell_about_schedule(self, request, obj: Article) -> None:
        if obj.is_scheduled:
            messages.info(
                request,
                f"“{obj}” is scheduled: readers will see it from {when(obj.published_at)}.",
            )

    # -- deleting ------------------------------------------------------------

    def has_delete_permission(self, request, obj=None) -> bool:
        if not super().has_delete_permission(request, obj):
            return False
        if obj is not None and obj.status == Article.Status.PUBLISHED:
            return request.user.has_perm(DELETE_PUBLISHED_PERMISSION)
        return True

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _, name, description = actions["delete_selected"]
            actions["delete_selected"] = (delete_selected_if_allowed, name, description)
        return actions

    def delete_model(self, request, obj):
        cover = obj.cover.name
        super().delete_model(request, obj)
        file_delete_on_commit(storage=obj.cover.storage, name=cover)

    def delete_queryset(self, request, queryset):
        covers = list(queryset.exclude(cover="").values_list("cover", flat=True))
        super().delete_queryset(request, queryset)
        storage = Article._meta.get_field("cover").storage
        for name in covers:
            file_delete_on_commit(storage=storage, name=name)

    # -- bulk actions (through services, one revision each) -------------------

    def _apply(self, request, articles, service, message: str, **kwargs) -> list[Article]:
        done = []
        for article in articles:
            with reversion.create_revision():
                reversion.set_user(request.user)
                service(article=article, **kwargs)
                self.log_change(request, article, message)
            done.append(article)
        return done

    @admin.action(description="Publish selected articles", permissions=["publish"])
    def publish_selected(self, request, queryset):
        drafts = queryset.filter(status=Article.Status.DRAFT)
        done = self._apply(
            request,
            self.publishable(request, ready_to_publish(drafts)),
            services.article_publish,
            "Published.",
        )
        scheduled = sum(article.is_scheduled for article in done)
        text = f"{len(done) - scheduled} article(s) published"
        if scheduled:
            text += f", {scheduled} scheduled for their publication time"
        self.message_user(request, text + ".", messages.SUCCESS)
        if waiting := drafts.filter(standfirst="").count():  # the checks named the others
            self.message_user(request, f"{waiting} {NOT_READY}", messages.WARNING)

    @admin.action(
        description="Unpublish selected articles (back to draft)", permissions=["publish"]
    )
    def unpublish_selected(self, request, queryset):
        done = self._apply(
            request,
            queryset.filter(status=Article.Status.PUBLISHED),
            services.article_unpublish,
            "Unpublished.",
        )
        self.message_user(request, f"{len(done)} article(s) back to draft.", messages.SUCCESS)

    @admin.action(description="Feature selected articles", permissions=["change"])
    def feature_selected(self, request, queryset):
        done = self._apply(
            request,
            queryset.filter(featured=False),
            services.article_feature,
            "Featured.",
            featured=True,
        )
        self.message_user(request, f"{len(done)} article(s) featured.", messages.SUCCESS)

    @admin.action(description="Stop featuring selected articles", permissions=["change"])
    def unfeature_selected(self, request, queryset):
        done = self._apply(
            request,
            queryset.filter(featured=True),
            services.article_feature,
            "No longer featured.",
            featured=False,
        )
        self.message_user(request, f"{len(done)} article(s) no longer featured.", messages.SUCCESS)

    # -- extra pages: preview, tag autocomplete, import ------------------------

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/preview/", wrap(self.preview_view), name=f"{prefix}_preview"),
            path(
                "tags/autocomplete/",
                wrap(self.tag_autocomplete_view),
                name=f"{prefix}_tag_autocomplete",
            ),
            path("import/", wrap(self.import_view), name=f"{prefix}_import"),
            path("guide/", wrap(self.editing_guide_view), name=f"{prefix}_guide"),
            *super().get_urls(),
        ]

    def preview_url(self, obj: Article) -> str:
        return reverse("admin:articles_article_preview", args=[obj.pk])

    # The phone and desktop widths page (articles.admin.review) shows it in a frame.
    @method_decorator(xframe_options_sameorigin)
    @method_decorator(csp_replace({"frame-ancestors": [SELF]}))
    def preview_view(self, request, pk: int):
        # admin_view already sent anyone who is not staff to the login page.
        if not self.has_view_or_change_permission(request):
            raise Http404
        return ArticlePreviewView.as_view()(request, pk=pk)

    def tag_autocomplete_view(self, request):
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        term = request.GET.get("term", "").strip()[:100]
        tags = (
            Tag.objects.filter(name__icontains=term)
            .annotate(uses=Count("articles_taggedarticle_items"))
            .order_by("-uses", "name")
            .values_list("name", flat=True)[:20]
        )
        return JsonResponse(
            {"results": [{"id": name, "text": name} for name in tags], "pagination": {}}
        )

    def import_view(self, request):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        outcomes = None
        if request.method == "POST":
            form = MarkdownImportForm(request.POST, request.FILES)
            if form.is_valid():
                outcomes = form.import_articles(
                    user=request.user, may_publish=self.has_publish_permission(request)
                )
        else:
            form = MarkdownImportForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import articles from Markdown",
            "form": form,
            "outcomes": outcomes,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/articles/article/import.html", context)

    def editing_guide_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        title, guide = editing_guide()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "guide": guide,
        }
        return TemplateResponse(request, "admin/articles/article/guide.html", context)


def delete_selected_if_allowed(modeladmin: ArticleAdmin, request, queryset):
    """Django's bulk delete, refused when it would delete a published article without right."""
    if not request.user.has_perm(DELETE_PUBLISHED_PERMISSION) and (
        queryset.filter(status=Article.Status.PUBLISHED).exists()
    ):
        modeladmin.message_user(
            request,
            "Published articles can only be deleted by a site owner. Nothing was deleted.",
            messages.ERROR,
        )
        return None
    return django_delete_selected(modeladmin, request, queryset)
