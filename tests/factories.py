import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from articles.models import Article, ArticleAuthor, AuthorLink, AuthorProfile, Section, Source


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery")


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Calm article number {n}")
    slug = factory.Sequence(lambda n: f"calm-article-{n}")
    standfirst = "A short and gentle summary of the article."
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(days=1))
    author = factory.SubFactory(UserFactory)

    class Params:
        draft = factory.Trait(status=Article.Status.DRAFT, published_at=None)
        scheduled = factory.Trait(
            published_at=factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=3))
        )

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)


class ReviewerFactory(factory.django.DjangoModelFactory):
    """A person with credentials: one who may medically review an article."""

    class Meta:
        model = AuthorProfile
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Dr Rowan Example {n}")
    slug = factory.Sequence(lambda n: f"rowan-example-{n}")
    credentials = "MD, neurologist"


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    article = factory.SubFactory(ArticleFactory)
    position = factory.Sequence(lambda n: n + 1)
    heading = factory.Sequence(lambda n: f"Section heading {n}")
    level = 2
    body = "<p>Breathe in slowly, and breathe out even more slowly.</p>"


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    article = factory.SubFactory(ArticleFactory)
    position = factory.Sequence(lambda n: n + 1)
    key = factory.Sequence(lambda n: f"wang-{2000 + n}")
    authors = "Wang Y, Smith JA"
    title = factory.Sequence(lambda n: f"Eyelid twitching in adults: study {n}")
    container = "Journal of Neurology"
    year = 2019
    doi = factory.Sequence(lambda n: f"10.1000/jn.{n}")


class DailyViewFactory(factory.django.DjangoModelFactory):
    """A day's counts for an article; the all-time total grows with it, as counting does."""

    class Meta:
        model = "popularity.DailyView"
        skip_postgeneration_save = True

    article = factory.SubFactory(ArticleFactory)
    day = factory.LazyFunction(timezone.localdate)
    views = 1
    unique_readers = factory.LazyAttribute(lambda row: min(row.views, 1))

    @factory.post_generation
    def total(self, create, extracted, **kwargs):
        if create:
            from django.db.models import F

            from popularity.models import ArticleTotal

            total, _ = ArticleTotal.objects.get_or_create(article=self.article)
            ArticleTotal.objects.filter(pk=total.pk).update(views=F("views") + self.views)


class DailyAgentViewFactory(factory.django.DjangoModelFactory):
    """A day's counted views of an article from one user agent (its DailyView is separate)."""

    class Meta:
        model = "popularity.DailyAgentView"

    article = factory.SubFactory(ArticleFactory)
    day = factory.LazyFunction(timezone.localdate)
    agent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/127.0"
    views = 1


class DailyOriginFactory(factory.django.DjangoModelFactory):
    """Counted views of an article on a day from one origin (no daily row of its own); the
    site's row for that day and origin grows with it, as counting does."""

    class Meta:
        model = "popularity.DailyOrigin"
        skip_postgeneration_save = True

    article = factory.SubFactory(ArticleFactory)
    day = factory.LazyFunction(timezone.localdate)
    source = "Direct / none"
    medium = ""
    campaign = ""
    device = "desktop"
    browser = "Chrome"
    os = "Windows"
    country = ""
    views = 1
    unique_readers = factory.LazyAttribute(lambda row: min(row.views, 1))

    @factory.post_generation
    def site(self, create, extracted, **kwargs):
        if create:
            from django.db.models import F

            from popularity.models import SiteDailyOrigin

            key = {
                name: getattr(self, name)
                for name in ("day", "source", "medium", "campaign", "device", "browser", "os")
            }
            row, _ = SiteDailyOrigin.objects.get_or_create(country=self.country, **key)
            SiteDailyOrigin.objects.filter(pk=row.pk).update(
                views=F("views") + self.views,
                unique_readers=F("unique_readers") + self.unique_readers,
            )


class DailyPathFactory(factory.django.DjangoModelFactory):
    """Readers who read one article, then another, on a day."""

    class Meta:
        model = "popularity.DailyPath"

    from_article = factory.SubFactory(ArticleFactory)
    day = factory.LazyFunction(timezone.localdate)
    to_article = factory.SubFactory(ArticleFactory)
    readers = 1


def read_depth_reported(*, article, day, headings, readers, completions) -> None:
    """Read-depth reports of one day for an article with these section headings: `readers`
    reported, `completions` reached the end, and readers // n reached the n-th section."""
    from popularity.models import ReadDepthDay, SectionReach

    for heading in headings:
        SectionFactory(article=article, heading=heading)
    ReadDepthDay.objects.create(article=article, day=day, readers=readers, completions=completions)
    SectionReach.objects.bulk_create(
        SectionReach(
            article=article,
            day=day,
            position=position,
            anchor=section.anchor,
            heading=section.heading,
            readers=readers // position,
        )
        for position, section in enumerate(article.sections.order_by("position"), start=1)
    )


class AuthorProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuthorProfile

    name = factory.Sequence(lambda n: f"Author Number {n}")
    slug = factory.Sequence(lambda n: f"author-number-{n}")


class AuthorLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuthorLink

    profile = factory.SubFactory(AuthorProfileFactory)
    label = "Website"
    url = factory.Sequence(lambda n: f"https://example.org/people/{n}")
    position = factory.Sequence(lambda n: n + 1)


def byline(article, *profiles) -> None:
    """Name `profiles` as the article's authors, in this order."""
    for position, profile in enumerate(profiles, start=1):
        ArticleAuthor.objects.create(article=article, profile=profile, position=position)
