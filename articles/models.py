from __future__ import annotations

import re

import reversion
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
    URLValidator,
)
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from .content import sanitize_html, unique_anchor
from .dates import validate_publication_date
from .medical_review import ReviewStatus, review_due_cutoff
from .references import KEY_MAX_LENGTH, KEY_PATTERN, Reference, reference_normalise, source_key
from .renditions import (
    cover_renditions_refresh,
    record_is_stale,
    renditions_are_stale,
    renditions_refresh,
)

#: Article.modified_at in SQL: the last update readers were told of (a substantive change,
#: else the publication). Sitemaps' lastmod and refresh candidates count from it.
MODIFIED_AT = Coalesce("substantive_change_at", "published_at")


class ArticleQuerySet(models.QuerySet):
    def published(self) -> ArticleQuerySet:
        """What the public may see: published, not scheduled for later, not yet expired."""
        now = timezone.now()
        return self.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now),
            status=Article.Status.PUBLISHED,
            published_at__lte=now,
        )

    def scheduled(self) -> ArticleQuerySet:
        return self.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())

    def expired(self) -> ArticleQuerySet:
        """Published once, taken down by their expiry: their address answers 410 (or 301)."""
        return self.filter(status=Article.Status.PUBLISHED, expires_at__lte=timezone.now())

    def drafts(self) -> ArticleQuerySet:
        return self.filter(status=Article.Status.DRAFT)

    # Medical review (articles.medical_review): health articles only.
    def never_reviewed(self) -> ArticleQuerySet:
        return self.filter(health_content=True, reviewed_at__isnull=True)

    def review_due(self) -> ArticleQuerySet:
        """Health articles whose last review is older than MEDICAL_REVIEW_DUE_AFTER_MONTHS."""
        return self.filter(health_content=True, reviewed_at__lte=review_due_cutoff())

    def changed_since_review(self) -> ArticleQuerySet:
        """Reviewed articles whose words changed after the review (a typo included)."""
        return self.filter(reviewed_at__isnull=False).exclude(reviewed_text_digest=F("text_digest"))


class TaggedArticle(TaggedItemBase):
    """Tag links with a real foreign key (not a generic one), so tag lookups are indexed joins."""

    content_object = models.ForeignKey("Article", on_delete=models.CASCADE)

    class Meta:
        verbose_name = "tagged article"
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="tagged_article_unique"),
        ]
        indexes = [models.Index(fields=["tag", "content_object"], name="tagged_article_tag_idx")]


class AuthorProfile(models.Model):
    """A person readers see as an author or medical reviewer: separate from login accounts,
    optionally linked to one."""

    name = models.CharField(max_length=120, help_text="As readers see it in bylines.")
    slug = models.SlugField(
        max_length=120,
        unique=True,
        help_text="The author page's address: “ana-ruiz” is /authors/ana-ruiz/.",
    )
    credentials = models.CharField(
        max_length=200,
        blank=True,
        help_text="Shown after the name, e.g. 'MD, neurologist'. Needed to review health articles.",
    )
    job_title = models.CharField(
        max_length=120,
        blank=True,
        help_text="What they do, e.g. 'Consultant neurologist'; shown on the author page.",
    )
    bio = models.TextField(
        max_length=2000, blank=True, help_text="A few sentences for the author page."
    )
    photo = models.ImageField(
        upload_to="authors/%Y/%m/",
        blank=True,
        width_field="photo_width",
        height_field="photo_height",
        help_text="A portrait: JPEG, PNG or WebP, square works best.",
    )
    photo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_alt = models.CharField(
        max_length=250,
        blank=True,
        help_text="What the photo shows, for readers who cannot see it. Without it the photo "
        "is not shown.",
    )
    photo_renditions = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="Resized copies of the photo, by format (articles.renditions).",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author_profile",
        help_text="The login account of this person, if they have one: articles they create "
        "in the admin name them as first author.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="author_profile_name_not_empty"),
            models.CheckConstraint(condition=~Q(slug=""), name="author_profile_slug_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # The photo's renditions follow it, whoever sets it (admin, demo, script).
        update_fields = kwargs.get("update_fields")
        stale = record_is_stale(image=self.photo, record=self.photo_renditions)
        if (update_fields is None or "photo" in update_fields) and stale:
            self.photo_renditions = renditions_refresh(
                image=self.photo, record=self.photo_renditions
            )
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "photo_renditions"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("articles:author", kwargs={"slug": self.slug})


#: Links readers (and search engines, as `sameAs`) may follow: never javascript:, data: ...
WEB_ADDRESS = URLValidator(
    schemes=["http", "https"], message="Enter an http:// or https:// web address."
)


class AuthorLink(models.Model):
    """A page about the author elsewhere: their website, ORCID, LinkedIn ..."""

    profile = models.ForeignKey(AuthorProfile, on_delete=models.CASCADE, related_name="links")
    label = models.CharField(max_length=60, help_text="What readers see, e.g. 'ORCID'.")
    url = models.URLField(
        "address",
        max_length=500,
        validators=[WEB_ADDRESS],
        help_text="The whole address, starting with https://.",
    )
    position = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["profile", "position", "id"]
        verbose_name = "link"
        constraints = [
            models.CheckConstraint(
                condition=Q(url__regex=r"^https?://"), name="author_link_is_web_address"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class ArticleAuthor(models.Model):
    """One name in an article's byline, in order."""

    article = models.ForeignKey("Article", on_delete=models.CASCADE, related_name="bylines")
    profile = models.ForeignKey(AuthorProfile, on_delete=models.PROTECT, related_name="bylines")
    position = models.PositiveSmallIntegerField(default=1, help_text="Order in the byline, from 1.")

    class Meta:
        ordering = ["article", "position", "id"]
        verbose_name = "author"
        constraints = [
            models.UniqueConstraint(
                fields=["article", "profile"], name="article_author_unique_profile"
            ),
        ]
        indexes = [models.Index(fields=["profile", "article"], name="article_author_profile_idx")]

    def __str__(self) -> str:
        return f"{self.profile} on {self.article}"


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    class ReviewState(models.TextChoices):
        """Where an author's draft stands with the editors (articles.review); not its Status."""

        NONE = "none", "Not submitted"
        SUBMITTED = "submitted", "Waiting for review"
        CHANGES_REQUESTED = "changes_requested", "Sent back for changes"
        APPROVED = "approved", "Approved"

    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text="The article's address. Made from the title; keep it stable once published.",
    )
    standfirst = models.CharField(
        max_length=300,
        blank=True,  # a draft may wait for it; publishing requires it (constraint below)
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
        help_text=(
            "What the image shows, for readers who cannot see it. Needed before publishing "
            "(see the checks before publishing)."
        ),
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
    authors = models.ManyToManyField(
        AuthorProfile,
        through=ArticleAuthor,
        blank=True,
        related_name="articles",
        help_text="The byline, in order: each name links to the author's page.",
    )
    health_content = models.BooleanField(
        default=False,
        db_default=False,
        help_text=(
            "Gives medical information: shows the medical disclaimer, asks for sources and a "
            "medical reviewer before publishing, and tells search engines it is a medical page."
        ),
    )
    reviewer = models.ForeignKey(
        AuthorProfile,
        null=True,
        blank=True,
        # A profile named on a review is kept: deleting it would silently drop the review.
        on_delete=models.PROTECT,
        related_name="reviews",
        verbose_name="medical reviewer",
        help_text=(
            "Who checked the medical facts: an author profile with credentials. Readers see "
            "“Medically reviewed by Dr Ana Ruiz, MD, neurologist” while the text is the one "
            "reviewed."
        ),
    )
    reviewed_at = models.DateField(
        null=True,
        blank=True,
        verbose_name="reviewed on",
        help_text=(
            "The day the reviewer checked the text as it is saved now. Any later change to "
            "the words shows the review as covering an earlier version until it is reviewed "
            "again."
        ),
    )
    reviewed_text_digest = models.CharField(
        max_length=32,
        blank=True,
        default="",
        db_default="",
        editable=False,
        help_text="The text_digest of the words the reviewer checked.",
    )
    text_digest = models.CharField(
        max_length=32,
        blank=True,
        default="",
        db_default="",
        editable=False,
        help_text="MD5 of the title, standfirst and sections: derived, like the search vector.",
    )
    listed_digest = models.CharField(
        max_length=32,
        blank=True,
        default="",
        db_default="",
        editable=False,
        help_text=(
            "MD5 of what lists and cards show of the article (title, address, standfirst, "
            "cover, visibility, featured, reading time, author, tags): derived. Only a save "
            "that changes it renders the home, topic and other articles' pages again."
        ),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        validators=[validate_publication_date],
        help_text="When readers can see it. A time in the future schedules the article.",
    )
    expires_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name="unpublish at",
        help_text=(
            "When readers stop seeing it: from then it leaves every page, feed, sitemap and "
            "search, and its address says it is gone (or moves to the article chosen below). "
            "Leave empty to keep it published."
        ),
    )
    expired_redirect = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="then send readers to",
        help_text=(
            "Optional: once it is unpublished, its address moves (301) to this article; "
            "left empty, it answers 'gone' (410)."
        ),
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
            "When an editor last changed the words (title, standfirst or a section), a typo "
            "fix included. Readers see substantive_change_at instead. An import keeps the "
            "file's updated_at, or none."
        ),
    )
    substantive_change_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        verbose_name="updated for readers",
        help_text=(
            "When an editor last changed the words and marked it as a substantive change: "
            "readers see it as 'Updated' (when it is after the publication day), search "
            "engines as dateModified. A minor edit (a typo) leaves it alone."
        ),
    )
    version = models.PositiveIntegerField(
        default=1,
        db_default=1,  # rows inserted in bulk by SQL (bench) start at 1 too
        editable=False,
        help_text=(
            "Goes up by one on every save, whoever saves (admin, import, bulk action, "
            "restore): a form opened on an older version cannot silently overwrite a newer one."
        ),
    )
    # The review workflow (articles.review): kept out of revisions, like the derived fields.
    review_state = models.CharField(
        max_length=20,
        choices=ReviewState.choices,
        default=ReviewState.NONE,
        db_default=ReviewState.NONE,  # rows inserted in bulk by SQL (bench) are not in review
        editable=False,
        help_text="Where the article stands in review, separately from its status.",
    )
    review_comment = models.TextField(
        blank=True,
        default="",
        db_default="",
        editable=False,
        help_text="The last review step's comment: the author's note or the editor's request.",
    )
    review_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who last submitted it for review: told when it is sent back or approved.",
    )
    review_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Raised to revoke every signed preview link given out so far (articles.preview_links).
    preview_links_version = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    derived_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text=(
            "When the derived fields were last computed: after every saved change to the "
            "article, its sections or its tags. The cached parts of its page are kept under it."
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
        permissions = [
            ("delete_published_article", "Can delete published articles"),
            # Authors (`manage.py setup_roles`) lack it: they submit for review instead.
            ("publish_article", "Can publish or schedule articles"),
        ]
        indexes = [
            models.Index(
                fields=["-published_at", "-id"],
                condition=Q(status="published"),
                name="article_public_listing_idx",
            ),
            GinIndex(fields=["search_vector"], name="article_search_idx"),
            models.Index(
                fields=["review_state", "review_changed_at"],
                condition=~Q(review_state="none"),
                name="article_review_queue_idx",
            ),
            # The few health articles among many: their medical review filters and the
            # owners' refresh candidates.
            models.Index(
                fields=["reviewed_at"],
                condition=Q(health_content=True),
                name="article_medical_review_idx",
            ),
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
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True)
                | Q(published_at__isnull=True)
                | Q(expires_at__gt=models.F("published_at")),
                name="article_expires_after_publication",
            ),
            models.CheckConstraint(
                condition=~Q(expired_redirect=models.F("pk")), name="article_expiry_not_itself"
            ),
            models.CheckConstraint(
                condition=Q(
                    review_state__in=["none", "submitted", "changes_requested", "approved"]
                ),
                name="article_review_state_valid",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="article_title_not_empty"),
            models.CheckConstraint(
                condition=Q(status="draft") | ~Q(standfirst=""),
                name="article_published_has_standfirst",
            ),
            # A review names who and when, or nothing.
            models.CheckConstraint(
                condition=Q(reviewer__isnull=True, reviewed_at__isnull=True)
                | Q(reviewer__isnull=False, reviewed_at__isnull=False),
                name="article_review_has_reviewer_and_date",
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
        if self._state.adding:
            super().save(*args, **kwargs)
            return
        with transaction.atomic(savepoint=False):
            # The row stays locked until the commit: concurrent saves count one after the
            # other, never both from the same number. A restore writes an old revision back
            # with its old number; the number the form was opened on then carries on.
            stored = (
                Article.objects.select_for_update()
                .filter(pk=self.pk)
                .values_list("version", flat=True)
                .first()
            )
            self.version = max(stored or 0, self.version) + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
            super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("articles:detail", kwargs={"slug": self.slug})

    @property
    def modified_at(self):
        """What readers and structured data call the last modification: the last change to
        the text an editor marked as substantive, or else the publication itself (never a
        typo fix, an import's own time or a status change)."""
        return self.substantive_change_at or self.published_at

    @property
    def review_covers_text(self) -> bool:
        """The recorded medical review covers the words as they are now."""
        return (
            self.reviewer_id is not None
            and self.reviewed_at is not None
            and bool(self.text_digest)
            and self.reviewed_text_digest == self.text_digest
        )

    @property
    def medical_review_status(self) -> ReviewStatus | None:
        """Where the medical review stands; None for an article that is not health content
        and names no reviewer."""
        if self.reviewed_at is None or self.reviewer_id is None:
            return ReviewStatus.NEVER if self.health_content else None
        if not self.review_covers_text:
            return ReviewStatus.CHANGED
        if self.health_content and self.reviewed_at <= review_due_cutoff():
            return ReviewStatus.DUE
        return ReviewStatus.CURRENT

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.expires_at and self.published_at and self.expires_at <= self.published_at:
            errors["expires_at"] = "Unpublish after the publication time, or leave it empty."
        if self.expired_redirect_id is not None and self.expired_redirect_id == self.pk:
            errors["expired_redirect"] = "Choose another article: this one will be gone."
        if errors:
            raise ValidationError(errors)

    @property
    def is_public(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
            and not self.is_expired
        )

    @property
    def is_expired(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.expires_at is not None
            and self.expires_at <= timezone.now()
        )

    @property
    def is_scheduled(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )


class EditLock(models.Model):
    """Who has an article's change form open: a soft lock that other editors are shown, with
    a way to take over. The holder's page renews it (`seen_at`) while it is open; without
    that for a while (articles.concurrency.EXPIRES_AFTER) it lapses by itself."""

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="edit_lock"
    )
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    since = models.DateTimeField(help_text="When the holder started editing.")
    seen_at = models.DateTimeField(help_text="The holder's page was last open at this time.")
    taken_from = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who was editing before the holder took over: their page tells them so.",
    )

    class Meta:
        ordering = ["-seen_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(taken_from__isnull=True) | ~Q(taken_from=F("holder")),
                name="edit_lock_not_taken_from_holder",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article} (edited by {self.holder})"


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


class Source(models.Model):
    """A numbered reference an article cites: shown in its "Sources" list, cited in its
    text by markers naming the source's `key` (never its number, which may change)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="sources")
    position = models.PositiveSmallIntegerField(
        default=1, help_text="Its number in the Sources list, from 1."
    )
    key = models.SlugField(
        max_length=KEY_MAX_LENGTH,
        blank=True,
        help_text=(
            "What citations in the text name, e.g. 'wang-2019'. Made from the first author "
            "and year when left empty; keep it once the text cites it."
        ),
    )
    authors = models.CharField(
        max_length=500,
        blank=True,
        help_text="As PubMed lists them: 'Wang Y, Smith JA, Lee K' (or separated by semicolons).",
    )
    title = models.CharField(max_length=300)
    container = models.CharField(
        max_length=200,
        blank=True,
        verbose_name="journal or publisher",
        help_text="The journal (for a paper), the publisher or the website.",
    )
    year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1500), MaxValueValidator(2100)]
    )
    url = models.CharField(
        max_length=500,
        blank=True,
        verbose_name="web address",
        help_text="http:// or https://. A DOI or PubMed id pasted here goes to its own field.",
    )
    doi = models.CharField(
        max_length=200,
        blank=True,
        verbose_name="DOI",
        help_text="e.g. 10.1000/xyz123 (or doi:…, or a doi.org link): links to doi.org.",
    )
    pmid = models.CharField(
        max_length=20,
        blank=True,
        verbose_name="PubMed id",
        help_text="e.g. 31234567 (or 'PMID: 31234567'): links to PubMed.",
    )

    class Meta:
        ordering = ["article", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "key"], name="source_key_unique"),
            models.CheckConstraint(condition=~Q(key=""), name="source_key_not_empty"),
            models.CheckConstraint(condition=~Q(title=""), name="source_title_not_empty"),
            models.CheckConstraint(condition=Q(position__gte=1), name="source_position_positive"),
            models.CheckConstraint(
                condition=~Q(url="") | ~Q(doi="") | ~Q(pmid=""), name="source_has_link"
            ),
            # Never a javascript: (or any other) link on the page: the web only.
            models.CheckConstraint(
                condition=Q(url="") | Q(url__regex=r"^https?://"), name="source_url_http"
            ),
            models.CheckConstraint(
                condition=Q(year__isnull=True) | Q(year__gte=1500, year__lte=2100),
                name="source_year_plausible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})" if self.year else self.title

    def save(self, *args, **kwargs) -> None:
        if not self.key:
            taken = set(
                Source.objects.filter(article_id=self.article_id)
                .exclude(pk=self.pk)
                .values_list("key", flat=True)
            )
            self.key = source_key(
                authors=self.authors, year=self.year, title=self.title, taken=taken
            )
            if update_fields := kwargs.get("update_fields"):
                kwargs["update_fields"] = {*update_fields, "key"}
        super().save(*args, **kwargs)

    @property
    def reference(self) -> Reference:
        return Reference(url=self.url, doi=self.doi, pmid=self.pmid)

    @property
    def link(self) -> str:
        return self.reference.link

    def clean(self) -> None:
        super().clean()
        reference = reference_normalise(url=self.url, doi=self.doi, pmid=self.pmid)
        if not reference.links:
            raise ValidationError(
                {"url": "Give a web address, a DOI or a PubMed id: where readers find it."}
            )
        self.url, self.doi, self.pmid = reference.url, reference.doi, reference.pmid
        if self.key and not KEY_PATTERN.fullmatch(self.key):
            raise ValidationError(
                {"key": "Lower-case letters, digits and hyphens only, e.g. 'wang-2019'."}
            )


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


class ArticleUpdate(models.Model):
    """Changes to a published article prepared ahead, going live at a set minute.

    The pending words live in a draft copy of the article (`draft`), edited and previewed
    with the ordinary change form; until `go_live_at` readers see the article unchanged. At
    that minute its title, standfirst, sections and tags replace the live ones
    (articles.scheduling), `applied_at` is set and the copy is deleted.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="scheduled_updates")
    draft = models.OneToOneField(
        Article,
        null=True,
        blank=True,
        # Deleting the pending version cancels the update; once applied, it is let go first.
        on_delete=models.CASCADE,
        related_name="update_draft_of",
        help_text="The pending version, a draft readers never see; deleted once applied.",
    )
    go_live_at = models.DateTimeField(
        verbose_name="goes live at",
        help_text="When readers see the new version; until then they see the current one.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["go_live_at", "pk"]
        verbose_name = "scheduled update"
        constraints = [
            # One pending update per article: two could each undo the other.
            models.UniqueConstraint(
                fields=["article"],
                condition=Q(applied_at__isnull=True),
                name="article_update_one_pending",
            ),
        ]
        indexes = [
            models.Index(
                fields=["go_live_at"],
                condition=Q(applied_at__isnull=True),
                name="article_update_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Update of {self.article} at {self.go_live_at:%Y-%m-%d %H:%M}"


class ArticleAutosave(models.Model):
    """An editor's unsaved change form, kept every few seconds while they write.

    Never the article itself: nothing here is public or in its history until the editor
    presses Save (which deletes it). A new article has no row yet: its autosave is found by
    the user and the key the browser made for that add form.
    """

    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.CASCADE, related_name="autosaves"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="article_autosaves"
    )
    draft_key = models.CharField(
        max_length=64, help_text="Made by the browser for one add form (or one article's form)."
    )
    data = models.JSONField(help_text="The form's fields as [name, value] pairs.")
    saved_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-saved_at"]
        verbose_name = "unsaved change"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "article"],
                condition=Q(article__isnull=False),
                name="autosave_one_per_user_article",
            ),
            models.UniqueConstraint(
                fields=["user", "draft_key"],
                condition=Q(article__isnull=True),
                name="autosave_one_per_user_new_draft",
            ),
        ]

    def __str__(self) -> str:
        return f"Unsaved changes by {self.user} at {self.saved_at:%Y-%m-%d %H:%M}"


class EditorialNote(models.Model):
    """A private note between editors on an article: never shown to readers, and never in
    the article's revisions (it is not registered with django-reversion)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="editorial_notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="editorial_notes",
    )
    text = models.TextField(help_text="For editors only: readers never see it.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["article", "-created_at"], name="editorial_note_article_idx")
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="editorial_note_not_empty"),
        ]

    def __str__(self) -> str:
        return f"Note on “{self.article}” by {self.author or 'someone'}"


# ---------------------------------------------------------------------------
# Disclaimer and help: site-wide texts owners edit, and the tags that call for help.

_PHONE = RegexValidator(
    r"^\+?[0-9][0-9 ().-]*[0-9]$",
    "Enter a phone number of digits, spaces and + ( ) - . only, e.g. +44 116 123.",
)
_WEB_ADDRESS = URLValidator(
    schemes=["http", "https"], message="Enter an http:// or https:// address.", code="not_web"
)


class TrustSettings(models.Model):
    """The site's one row of reader-safety texts: the medical disclaimer on health articles
    and the introduction of the "If you need help now" box. Read it with `TrustSettings.load()`."""

    SINGLE_ROW = 1

    disclaimer = models.TextField(
        max_length=4000,
        blank=True,
        help_text=(
            "Shown at the end of every article marked as health content. Paragraphs, **bold**, "
            "*italics* and [links](https://example.org) (Markdown). Empty: no disclaimer."
        ),
    )
    help_introduction = models.CharField(
        max_length=300,
        blank=True,
        help_text=(
            "One sentence above the help resources, shown on articles with a sensitive tag, "
            "e.g. 'If you are struggling or feel unsafe, you can talk to someone now.'"
        ),
    )

    class Meta:
        verbose_name = "disclaimer and help"
        verbose_name_plural = "disclaimer and help"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="trust_settings_single_row"),
        ]

    def __str__(self) -> str:
        return "Disclaimer and help"

    @classmethod
    def load(cls) -> TrustSettings:
        settings_row, _ = cls.objects.get_or_create(pk=cls.SINGLE_ROW)
        return settings_row


class HelpResource(models.Model):
    """Somewhere a reader can turn to now (a helpline, emergency services, a directory),
    listed in the "If you need help now" box on articles with a sensitive tag."""

    trust_settings = models.ForeignKey(
        TrustSettings, on_delete=models.CASCADE, related_name="help_resources"
    )
    position = models.PositiveSmallIntegerField(default=1, help_text="Order in the box, from 1.")
    name = models.CharField(max_length=120, help_text="e.g. 'Emergency services'.")
    description = models.CharField(
        max_length=300, blank=True, help_text="Who it is for and when, in one sentence."
    )
    phone = models.CharField(
        max_length=30,
        blank=True,
        validators=[_PHONE],
        help_text="A number to call, as readers should dial it; shown as a call link.",
    )
    url = models.URLField(
        "web address",
        max_length=500,
        blank=True,
        validators=[_WEB_ADDRESS],
        help_text="An http:// or https:// page with more help.",
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "help resource"
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="help_resource_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def phone_link(self) -> str:
        return phone_link(self.phone)


def phone_link(phone: str) -> str:
    """A phone number as typed ("+44 116 123") as a tel: address ("tel:+44116123"); "" for none."""
    return "tel:" + re.sub(r"[^0-9+]", "", phone) if phone else ""


class TagSettings(models.Model):
    """What editors say about a tag beyond its name (django-taggit's Tag has no room)."""

    tag = models.OneToOneField(
        "taggit.Tag", on_delete=models.CASCADE, primary_key=True, related_name="settings"
    )
    sensitive = models.BooleanField(
        default=False,
        help_text=(
            "Articles with this tag (e.g. anxiety, panic, burnout) show the 'If you need help "
            "now' box with the help resources."
        ),
    )

    class Meta:
        verbose_name = "tag settings"
        verbose_name_plural = "tag settings"

    def __str__(self) -> str:
        return str(self.tag)


# A revision holds the article, its sections, sources and tag links, so restoring brings them all
# back. Derived fields are left out: they are recomputed after every save. Registered with the
# models, not the admin: imports and scripts save revisions too (articles.services).
reversion.register(Section)
reversion.register(TaggedArticle)
reversion.register(Source)
reversion.register(
    Article,
    follow=["sections", "taggedarticle_set", "sources"],
    exclude=[
        "search_vector",
        "reading_time",
        # Restoring a revision brings back words, not a review step or revoked links.
        "review_state",
        "review_comment",
        "review_requested_by",
        "review_changed_at",
        "preview_links_version",
        "derived_at",
        "text_digest",
        "listed_digest",
    ],
)
