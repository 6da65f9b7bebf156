"""Daily view counts and the short-lived, anonymous state that keeps them honest.

No table holds an IP address or anything a reader could be recognised by across days: a
reader is a keyed hash whose key (the day's salt) is deleted when the day ends. User agent
strings are kept only as aggregate counts per article and day (DailyAgentView), never beside
a reader's hash or address, and are deleted after POPULARITY_AGENT_RETENTION_DAYS.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article
from core.search_terms import SEARCH_QUERY_MAX_LENGTH


class DailyView(models.Model):
    """Views and unique readers of one article on one day (the site's local date)."""

    pk = models.CompositePrimaryKey("article", "day")
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="daily_views", db_index=False
    )
    day = models.DateField()
    views = models.PositiveBigIntegerField(default=0)
    unique_readers = models.PositiveBigIntegerField(
        default=0, help_text="Distinct readers that day; the same person on two days is two."
    )
    # A database default: every INSERT that does not name it (the bench's seed, raw SQL
    # written before it existed) still works.
    origins = models.PositiveIntegerField(
        db_default=0,
        help_text="DailyOrigin rows of this article and day with a combination of their own "
        "(POPULARITY_MAX_ORIGINS_PER_DAY when full): the bound, kept on the row every counted "
        "view locks anyway.",
    )

    class Meta:
        ordering = ["-day", "article_id"]
        default_permissions = ()
        permissions = [("view_statistics", "Can view site statistics")]
        indexes = [
            # Window rankings read (day range → article, views) from this index alone.
            models.Index(
                fields=["day", "article"],
                include=["views", "unique_readers"],
                name="dailyview_day_article_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(unique_readers__lte=F("views")), name="dailyview_readers_le_views"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} on {self.day}: {self.views}"


AGENT_MAX_LENGTH = 256


class DailyAgentView(models.Model):
    """Counted views of one article on one day from one user agent string: what shows
    whether a spike came from many browsers or from one client (a bot that slipped through).

    Aggregates only, counted by the same decision as DailyView.views; no reader hash, no
    address. Rows older than POPULARITY_AGENT_RETENTION_DAYS are deleted by salts_rotate.
    """

    pk = models.CompositePrimaryKey("article", "day", "agent")
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="daily_agent_views", db_index=False
    )
    day = models.DateField()
    agent = models.CharField(
        max_length=AGENT_MAX_LENGTH,
        help_text=f"The User-Agent header as sent, cut to its first {AGENT_MAX_LENGTH} characters.",
    )
    views = models.PositiveBigIntegerField(
        default=0, help_text="Views from this user agent that counted under the counting rule."
    )

    class Meta:
        ordering = ["-day", "article_id", "-views"]
        default_permissions = ()
        indexes = [
            # Retention deletes by day alone; the primary key starts with the article.
            models.Index(fields=["day"], name="dailyagentview_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} on {self.day} from {self.agent[:40]}: {self.views}"


ORIGIN_TEXT_MAX_LENGTH = 100
ORIGIN_FAMILY_MAX_LENGTH = 50


class Source(models.TextChoices):
    """The names the dashboard groups referrers under; any other source is a domain or an
    utm_source value as sent."""

    DIRECT = "Direct / none"
    INTERNAL = "Internal"
    OTHER = "Other"
    GOOGLE = "Google"
    BING = "Bing"
    DUCKDUCKGO = "DuckDuckGo"
    FACEBOOK = "Facebook"
    INSTAGRAM = "Instagram"
    X = "X/Twitter"
    LINKEDIN = "LinkedIn"
    REDDIT = "Reddit"
    PINTEREST = "Pinterest"
    YOUTUBE = "YouTube"
    NEWSLETTERS = "Newsletters"


class Device(models.TextChoices):
    DESKTOP = "desktop", "Desktop"
    MOBILE = "mobile", "Mobile"
    TABLET = "tablet", "Tablet"
    OTHER = "other", "Other"


class OriginCounts(models.Model):
    """A day's counted views from one origin: source and campaign, kind of device, browser
    and system, country (DailyOrigin per article, SiteDailyOrigin for the site)."""

    day = models.DateField()
    source = models.CharField(
        max_length=ORIGIN_TEXT_MAX_LENGTH,
        help_text="A family (Google, Reddit …), the referring site's domain, an utm_source, "
        "Direct / none, Internal, or Other.",
    )
    medium = models.CharField(max_length=ORIGIN_TEXT_MAX_LENGTH, blank=True, help_text="utm_medium")
    campaign = models.CharField(
        max_length=ORIGIN_TEXT_MAX_LENGTH, blank=True, help_text="utm_campaign"
    )
    device = models.CharField(max_length=10, choices=Device.choices)
    browser = models.CharField(max_length=ORIGIN_FAMILY_MAX_LENGTH, help_text="Browser family.")
    os = models.CharField(max_length=ORIGIN_FAMILY_MAX_LENGTH, help_text="Operating system family.")
    country = models.CharField(
        max_length=2,
        blank=True,
        help_text="ISO country code from a trusted proxy or the GeoIP file; blank: unknown.",
    )
    views = models.PositiveBigIntegerField(default=0)
    unique_readers = models.PositiveBigIntegerField(
        default=0, help_text="Readers whose first view that day came this way."
    )

    class Meta:
        abstract = True


class DailyOrigin(OriginCounts):
    """Counted views of one article on one day from one source and campaign, on one kind of
    device, browser and system, from one country: the breakdown behind the dashboard's
    sources, campaigns, devices and countries, each of which can filter the others.

    Aggregates only, added by the same decision as DailyView.views. Bounded: at most
    POPULARITY_MAX_ORIGINS_PER_DAY rows per article and day (DailyView.origins keeps the
    count); views with a new combination beyond that are summed in one "Other" row.
    """

    pk = models.CompositePrimaryKey(
        "article", "day", "source", "medium", "campaign", "device", "browser", "os", "country"
    )
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="daily_origins", db_index=False
    )

    class Meta:
        ordering = ["-day", "article_id", "-views"]
        default_permissions = ()
        indexes = [
            # The dashboard sums a period's rows across articles; the primary key starts
            # with the article (one article's page).
            models.Index(fields=["day"], name="dailyorigin_day_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(unique_readers__lte=F("views")), name="dailyorigin_readers_le_views"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} on {self.day} from {self.source}: {self.views}"


class SiteDailyOrigin(OriginCounts):
    """Counted views of the whole site on one day from one origin: DailyOrigin summed over
    the articles, written by the same statement that writes those rows.

    What the site-wide panels, and the site's chart under a source, device or country
    filter, read: a day's rows of every article would be read otherwise. No more rows than
    DailyOrigin has, so bounded the same way. Views of an article deleted since stay here
    (they happened); its DailyOrigin rows go with it.
    """

    pk = models.CompositePrimaryKey(
        "day", "source", "medium", "campaign", "device", "browser", "os", "country"
    )
    unique_readers = models.PositiveBigIntegerField(
        default=0, help_text="Summed over the articles: a reader of two articles is two."
    )

    class Meta:
        # The primary key starts with the day: a period is one range of it.
        ordering = ["-day", "-views"]
        default_permissions = ()
        constraints = [
            models.CheckConstraint(
                condition=Q(unique_readers__lte=F("views")),
                name="sitedailyorigin_readers_le_views",
            ),
        ]

    def __str__(self) -> str:
        return f"site on {self.day} from {self.source}: {self.views}"


class ArticleTotal(models.Model):
    """All-time views of an article, kept beside the daily rows so 'all time' reads one row."""

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="view_total"
    )
    views = models.PositiveBigIntegerField(default=0)

    class Meta:
        default_permissions = ()
        indexes = [models.Index(fields=["-views", "article"], name="articletotal_views_idx")]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.views}"


class DailySalt(models.Model):
    """The secret that keys one day's reader hashes. Past days' salts are deleted."""

    day = models.DateField(primary_key=True)
    secret = models.BinaryField(max_length=32)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"salt for {self.day}"


class ReaderDay(models.Model):
    """Today's seen-set: how often one anonymous reader-of-an-article has been counted.

    `reader` is 64 bits of HMAC(day salt, address + browser + article); rows of past days
    are pruned together with their salt.
    """

    pk = models.CompositePrimaryKey("day", "reader")
    day = models.DateField()
    reader = models.BigIntegerField()
    views = models.PositiveSmallIntegerField(default=1)
    last_counted_at = models.DateTimeField()
    # Which article: "readers right now" per article when there is no Redis. Blank on rows
    # written before it was kept (they are gone the next day).
    article_id = models.BigIntegerField(null=True)
    # The source of the reader's latest counted view (a family or a domain, as DailyOrigin
    # keeps it): "right now"'s sources when there is no Redis. Gone with the row.
    source = models.CharField(max_length=ORIGIN_TEXT_MAX_LENGTH, blank=True, db_default="")

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"reader on {self.day}: {self.views}"


class FlushedBatch(models.Model):
    """Batches of buffered counts already written, so a retried flush never adds twice."""

    batch_id = models.UUIDField(primary_key=True)
    flushed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return str(self.batch_id)


class ReadDepthDay(models.Model):
    """How many readers of one article on one day reported how far they read, and how many
    reached its end. The denominator of every read-depth share."""

    pk = models.CompositePrimaryKey("article", "day")
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="read_depth_days", db_index=False
    )
    day = models.DateField()
    readers = models.PositiveBigIntegerField(
        default=0, help_text="Readers whose read-depth report was kept that day."
    )
    completions = models.PositiveBigIntegerField(
        default=0, help_text="Of those, readers who reached the end of the article."
    )

    class Meta:
        ordering = ["-day", "article_id"]
        default_permissions = ()
        indexes = [
            models.Index(
                fields=["day", "article"],
                include=["readers", "completions"],
                name="readdepthday_day_article_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(completions__lte=F("readers")), name="readdepthday_done_le_readers"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} on {self.day}: {self.completions}/{self.readers} finished"


class SectionReach(models.Model):
    """Readers of one article on one day who reached one of its top-level sections.

    The section is kept as it was that day (position, anchor and heading), so the funnel of
    an article edited since still shows the sections its readers actually saw.
    """

    pk = models.CompositePrimaryKey("article", "day", "position", "anchor")
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="section_reaches", db_index=False
    )
    day = models.DateField()
    position = models.PositiveSmallIntegerField(help_text="1 for the first top-level section.")
    anchor = models.CharField(max_length=100)
    heading = models.CharField(max_length=200)
    readers = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["article_id", "-day", "position"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.article_id} on {self.day}, section {self.position}: {self.readers}"


class ReadReportSeen(models.Model):
    """Today's seen-set of read-depth reports: one per reader, article and token day.

    `reader` is a keyed hash under the day's salt (as ReaderDay's); pruned with the salt.
    """

    pk = models.CompositePrimaryKey("day", "reader")
    day = models.DateField()
    reader = models.BigIntegerField()
    # The most engaged seconds this reader reported today (blank: no figure sent): a later
    # report with more moves them to a higher EngagedTimeDay bucket. Gone with the row.
    engaged = models.PositiveSmallIntegerField(null=True)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"read report on {self.day}"


class EngagedTimeCounts(models.Model):
    """Readers in one bucket of engaged seconds (popularity.engaged.BUCKET_EDGES) on a day:
    a histogram row, never a reader's figure."""

    day = models.DateField()
    bucket = models.PositiveSmallIntegerField(
        help_text="Index into BUCKET_EDGES: from that many seconds up to the next edge."
    )
    readers = models.PositiveBigIntegerField(default=0)
    half_readers = models.PositiveBigIntegerField(
        default=0,
        help_text="Of those, readers whose time was at least half the article's reading time "
        "when they read it.",
    )

    class Meta:
        abstract = True


class EngagedTimeDay(EngagedTimeCounts):
    """How many readers of one article on one day spent how long on it, visible and in use:
    one row per bucket. Medians for any period are summed from these rows."""

    pk = models.CompositePrimaryKey("article", "day", "bucket")
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="engaged_time_days", db_index=False
    )

    class Meta:
        ordering = ["-day", "article_id", "bucket"]
        default_permissions = ()
        constraints = [
            models.CheckConstraint(
                condition=Q(half_readers__lte=F("readers")), name="engagedtimeday_half_le_readers"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} on {self.day}, bucket {self.bucket}: {self.readers}"


class TagEngagedTimeDay(EngagedTimeCounts):
    """EngagedTimeDay summed over the articles a tag had that day, written by the same
    transaction: what the dashboard's tags table reads (the articles' rows of a month are
    hundreds of thousands on a large site; these are at most 24 a tag and day)."""

    pk = models.CompositePrimaryKey("tag", "day", "bucket")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        ordering = ["-day", "tag_id", "bucket"]
        default_permissions = ()
        indexes = [
            models.Index(
                fields=["day"],
                include=["tag", "bucket", "readers", "half_readers"],
                name="tagengagedtimeday_day_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"tag {self.tag_id} on {self.day}, bucket {self.bucket}: {self.readers}"


class TagReadDepthDay(models.Model):
    """ReadDepthDay summed over the articles a tag had that day, written with it."""

    pk = models.CompositePrimaryKey("tag", "day")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    readers = models.PositiveBigIntegerField(default=0)
    completions = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-day", "tag_id"]
        default_permissions = ()
        indexes = [
            models.Index(
                fields=["day"],
                include=["tag", "readers", "completions"],
                name="tagreaddepthday_day_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"tag {self.tag_id} on {self.day}: {self.completions}/{self.readers} finished"


class DayNote(models.Model):
    """A site owner's note on a day ("newsletter sent", "shared on Reddit"): shown beside
    that day's figures, so a bump has its reason next to it."""

    day = models.DateField(help_text="The day it happened (the site's local date).")
    text = models.CharField(
        max_length=200, help_text="What happened, in a few words: shown beside the day's figures."
    )
    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="day_notes",
        help_text="Leave empty for a note about the whole site; an article's note shows on "
        "its own statistics too.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "-id"]
        verbose_name = "note on a day"
        verbose_name_plural = "notes on days"
        indexes = [models.Index(fields=["day"], name="daynote_day_idx")]

    def __str__(self) -> str:
        return f"{self.day}: {self.text}"


class DailySearch(models.Model):
    """How often one normalised site search was made on one day, and what came of it.

    Never per person: no reader hash, no address, only the query (lower case, without
    accents, spaces collapsed; queries that look like an e-mail address, a phone number or
    a long run of digits are never stored) and counts.
    """

    day = models.DateField()
    query = models.CharField(
        max_length=SEARCH_QUERY_MAX_LENGTH,
        help_text="The query as normalised: case, accents and spacing folded, cut.",
    )
    searches = models.PositiveBigIntegerField(default=0, help_text="Searches made that day.")
    results = models.PositiveIntegerField(
        default=0, help_text="Articles the day's latest search found."
    )
    opened = models.PositiveBigIntegerField(
        default=0, help_text="Results readers opened from this search's page."
    )
    position_sum = models.PositiveBigIntegerField(
        default=0,
        help_text="Sum of the opened results' positions (1 = first): the mean is "
        "position_sum / opened.",
    )

    class Meta:
        ordering = ["-day", "-searches"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["day", "query"], name="dailysearch_day_query_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.query!r} on {self.day}: {self.searches}"


class DailySearchOpen(models.Model):
    """Results of one search opened on one day, per article: the searches that lead to it."""

    day = models.DateField()
    query = models.CharField(max_length=SEARCH_QUERY_MAX_LENGTH)
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="daily_search_opens"
    )
    opened = models.PositiveBigIntegerField(default=0)
    position_sum = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-day", "-opened"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["day", "query", "article"], name="dailysearchopen_day_query_article_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.query!r} → {self.article_id} on {self.day}: {self.opened}"


class SharedStatsLink(models.Model):
    """A read-only view of the statistics, for someone without an account (an author shown
    their article's figures). The link's token is a signature over the row's id
    (popularity/sharing.py); revoking or an expiry date ends it, and a revoked link is kept
    as a record of what was shared with whom."""

    class Scope(models.TextChoices):
        SITE = "site", "The whole site"
        ARTICLE = "article", "One article"
        TAG = "tag", "One tag"

    label = models.CharField(
        max_length=100, help_text="Who it is for or why, e.g. “Ana, her sleep article”."
    )
    scope = models.CharField(
        max_length=10,
        choices=Scope.choices,
        default=Scope.ARTICLE,
        help_text="What the link shows. One article or one tag shows only its own figures, "
        "never other articles' titles.",
    )
    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="shared_stats_links",
        help_text="The article, when the scope is one article.",
    )
    tag = models.ForeignKey(
        "taggit.Tag",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="shared_stats_links",
        help_text="The tag, when the scope is one tag.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Optional: the link stops working at this time."
    )
    revoked_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When it was revoked: it answers 404."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        # Revoked, never deleted: the record of what was shared stays.
        default_permissions = ("add", "change", "view")
        verbose_name = "shared statistics link"
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(scope="site", article__isnull=True, tag__isnull=True)
                    | Q(scope="article", article__isnull=False, tag__isnull=True)
                    | Q(scope="tag", article__isnull=True, tag__isnull=False)
                ),
                name="sharedstatslink_scope_matches_target",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        errors = {}
        if self.scope == self.Scope.ARTICLE:
            self.tag = None
            if self.article_id is None:
                errors["article"] = "Choose the article this link shows."
        elif self.scope == self.Scope.TAG:
            self.article = None
            if self.tag_id is None:
                errors["tag"] = "Choose the tag this link shows."
        else:
            self.article = self.tag = None
        # Only when made: the expiry is fixed once the link is given out, and then passes.
        if self._state.adding and self.expires_at and self.expires_at <= timezone.now():
            errors["expires_at"] = (
                "This time has passed: the link would never work. Choose a later time, or "
                "leave it empty."
            )
        if errors:
            raise ValidationError(errors)


class SentDigest(models.Model):
    """A week whose e-mail digest went out: what makes `popularity_digest` send each week
    once, however often the scheduler runs it or restarts."""

    week_start = models.DateField(unique=True, help_text="The Monday of the week reported on.")
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-week_start"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"digest of the week of {self.week_start}"


class DailyPath(models.Model):
    """Readers who read one article, then followed a link on it to another, on one day:
    "read A, then B". Never per person: the pair, the day and a count, nothing else.

    Counted from the referrer of a counted view (a page of this site's article A sent the
    reader to article B), on the reader's first counted view of B that day, so B's readers
    from each article are readers, never reloads or returns.
    """

    pk = models.CompositePrimaryKey("from_article", "day", "to_article")
    from_article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="daily_paths_out", db_index=False
    )
    day = models.DateField()
    to_article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="daily_paths_in", db_index=False
    )
    readers = models.PositiveBigIntegerField(
        default=0, help_text="Readers who came to the second article from the first that day."
    )

    class Meta:
        ordering = ["-day", "from_article_id", "-readers"]
        default_permissions = ()
        indexes = [
            # An article's "came from" (the primary key gives its "read next").
            models.Index(
                fields=["to_article", "day"],
                include=["from_article", "readers"],
                name="dailypath_to_day_idx",
            ),
            # The period's top pairs across the site, from this index alone.
            models.Index(
                fields=["day"],
                include=["from_article", "to_article", "readers"],
                name="dailypath_day_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_article=F("to_article")), name="dailypath_two_articles"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_article_id} → {self.to_article_id} on {self.day}: {self.readers}"
