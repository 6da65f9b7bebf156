from __future__ import annotations

import reversion
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from .content import sanitize_html, unique_anchor
from .renditions import cover_renditions_refresh, renditions_are_stale


class ArticleQuerySet(models.QuerySet):
    def published(self) -> ArticleQuerySet:
        """What the public may see: published, and not scheduled for later."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def scheduled(self) -> ArticleQuerySet:
        return self.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())

    def drafts(self) -> ArticleQuerySet:
        return self.filter(status=Article.Status.DRAFT)


class TaggedArticle(TaggedItemBase):
    """Tag links with a real foreign key (not a generic one), so tag lookups are indexed joins."""

    content_object = models.ForeignKey("Article", on_delete=models.CASCADE)

    class Meta:
        verbose_name = "tagged article"
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="tagged_article_unique"),
        ]
        indexes = [models.Index(fields=["tag", "content_object"], name="tagged_article_tag_idx")]


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text="The article's address. Made from the title; keep it stable once published.",
    )
    standfirst = models.CharField(
        max_length=300,
        help_text="One or two sentences shown in lists and search results (about 160 characters).",
    )
    cover = models.ImageField(
        upload_to="covers/%Y/%m/",
        blank=True,
        width_field="cover_width",
        height_field="cover_height",
        help_text="JPEG, PNG or WebP.",
    )
    cover_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    cover_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    cover_alt = models.CharField(
        max_length=250,
        blank=True,
        help_text="What the image shows, for readers who cannot see it. Required with an image.",
    )
    cover_caption = models.CharField(max_length=250, blank=True)
    cover_renditions = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="Resized copies of the cover, by format.",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When readers can see it. A time in the future schedules the article.",
    )
    featured = models.BooleanField(default=False, help_text="Shown first on the home page.")
    reading_time = models.PositiveSmallIntegerField(
        default=1, editable=False, help_text="Minutes, derived from the text."
    )
    search_vector = SearchVectorField(
        null=True,
        editable=False,
        help_text="Title (A), standfirst (B), headings and tag names (C), bodies (D): search.",
    )
    revised_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        verbose_name="text last changed",
        help_text=(
            "When an editor last changed the words (title, standfirst or a section); "
            "readers see it as 'Updated' when it is after the publication day. An import "
            "keeps the file's updated_at, or none."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Any change to the row (a status, a cover, a feature): caches and sitemaps, not readers.
    updated_at = models.DateTimeField(auto_now=True)

    tags = TaggableManager(through=TaggedArticle, blank=True)
    primary_tag = models.ForeignKey(
        "taggit.Tag",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="primary_for",
        verbose_name="primary tag",
        help_text=(
            "The topic this article belongs to first: its breadcrumb, and the related "
            "articles shown first. One of its tags; left empty, its most used tag."
        ),
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        # Given to site owners by `manage.py setup_roles`; superusers have it implicitly.
        permissions = [("delete_published_article", "Can delete published articles")]
        indexes = [
            models.Index(
                fields=["-published_at", "-id"],
                condition=Q(status="published"),
                name="article_public_listing_idx",
            ),
            GinIndex(fields=["search_vector"], name="article_search_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published"]), name="article_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="article_published_has_date",
            ),
            models.CheckConstraint(condition=~Q(slug=""), name="article_slug_not_empty"),
            models.CheckConstraint(condition=~Q(title=""), name="article_title_not_empty"),
            models.CheckConstraint(
                condition=Q(cover="") | ~Q(cover_alt=""), name="article_cover_has_alt"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        # Whoever sets the cover (importer, admin, script), its renditions follow it here.
        update_fields = kwargs.get("update_fields")
        if (update_fields is None or "cover" in update_fields) and renditions_are_stale(self):
            cover_renditions_refresh(article=self)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "cover_renditions"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("articles:detail", kwargs={"slug": self.slug})

    @property
    def modified_at(self):
        """What readers and structured data call the last modification: the last change
        to the text, or else the publication itself (never an import or a status change)."""
        return self.revised_at or self.published_at

    @property
    def is_public(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )


class Section(models.Model):
    class Level(models.IntegerChoices):
        H2 = 2, "Heading (H2)"
        H3 = 3, "Subheading (H3)"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveIntegerField(help_text="Order within the article, from 1.")
    heading = models.CharField(max_length=200)
    level = models.PositiveSmallIntegerField(
        choices=Level.choices,
        default=Level.H2,
        help_text="A subheading nests under the heading before it.",
    )
    anchor = models.SlugField(
        max_length=100,
        blank=True,
        help_text="The #link to this section. Made from the heading when left empty.",
    )
    body = models.TextField(
        blank=True,
        help_text="Paragraphs, emphasis, links, lists and quotes. Anything else is removed.",
    )

    class Meta:
        ordering = ["article", "position"]
        constraints = [
            # Deferred so that reordering inside one transaction never trips over itself.
            models.UniqueConstraint(
                fields=["article", "position"],
                name="section_position_unique",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.UniqueConstraint(
                fields=["article", "anchor"],
                name="section_anchor_unique",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.CheckConstraint(condition=Q(level__in=[2, 3]), name="section_level_2_or_3"),
            models.CheckConstraint(condition=Q(position__gte=1), name="section_position_positive"),
            models.CheckConstraint(condition=~Q(anchor=""), name="section_anchor_not_empty"),
            models.CheckConstraint(condition=~Q(heading=""), name="section_heading_not_empty"),
        ]

    def __str__(self) -> str:
        return self.heading

    def save(self, *args, **kwargs) -> None:
        # Whoever writes a section (admin, importer, script), only the allow-list is stored.
        self.body = sanitize_html(self.body)
        if not self.anchor:
            taken = set(
                Section.objects.filter(article_id=self.article_id)
                .exclude(pk=self.pk)
                .values_list("anchor", flat=True)
            )
            self.anchor = unique_anchor(self.heading, taken)
        if update_fields := kwargs.get("update_fields"):
            kwargs["update_fields"] = {*update_fields, "body", "anchor"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"{self.article.get_absolute_url()}#{self.anchor}"


class SearchPassage(models.Model):
    """Derived, for search snippets: an article's standfirst (position 0) or one of its
    sections (its position) as plain text, a line per block, with its search vector.

    A snippet is cut from the passage that matches a query best, not from the whole
    article: PostgreSQL's ts_headline parses all the text it is given. Written and
    deleted only by articles.services' refresh, with the article's own vector, after
    commit; so no database constraint, and nothing for deletions to collect (an editor
    deleting an article is not shown its passages).
    """

    article = models.ForeignKey(
        Article,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # the unique constraint below is the index
        related_name="+",
    )
    position = models.PositiveIntegerField()
    text = models.TextField()
    search_vector = SearchVectorField()

    class Meta:
        ordering = ["article", "position"]
        constraints = [
            # Also the index an article's passages are looked up by.
            models.UniqueConstraint(fields=["article", "position"], name="search_passage_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id}:{self.position}"


class SlugRedirect(models.Model):
    """An address an article used to have: /articles/<old_slug>/ answers 301 to its page."""

    old_slug = models.SlugField(
        max_length=200, unique=True, help_text="The former address, kept so links never break."
    )
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="slug_redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["old_slug"]
        verbose_name = "former address"
        verbose_name_plural = "former addresses"
        constraints = [
            models.CheckConstraint(condition=~Q(old_slug=""), name="slug_redirect_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.old_slug} → {self.article.slug}"


# A revision holds the article, its sections and its tag links, so restoring brings all three
# back. Derived fields are left out: they are recomputed after every save. Registered with the
# models, not the admin: imports and scripts save revisions too (articles.services).
reversion.register(Section)
reversion.register(TaggedArticle)
reversion.register(
    Article,
    follow=["sections", "taggedarticle_set"],
    exclude=["search_vector", "reading_time"],
)
