"""Every article keeps its byline: a profile for each user who wrote one (one per user), and
that profile first in the article's byline."""

from django.conf import settings
from django.db import migrations
from django.utils.text import slugify


def _unique_slug(taken: set[str], name: str) -> str:
    base = slugify(name)[:110] or "author"
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    taken.add(slug)
    return slug


def bylines_from_authors(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    AuthorProfile = apps.get_model("articles", "AuthorProfile")
    ArticleAuthor = apps.get_model("articles", "ArticleAuthor")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    profiles = {p.user_id: p for p in AuthorProfile.objects.exclude(user=None)}
    taken = set(AuthorProfile.objects.values_list("slug", flat=True))
    writers = Article.objects.exclude(author=None).values_list("author_id", flat=True).distinct()
    for user in User.objects.filter(pk__in=writers).order_by("pk"):
        if user.pk in profiles:
            continue
        name = f"{user.first_name} {user.last_name}".strip() or user.username
        profiles[user.pk] = AuthorProfile.objects.create(
            user=user, name=name[:120], slug=_unique_slug(taken, name)
        )
    bylined = set(ArticleAuthor.objects.values_list("article_id", flat=True))
    ArticleAuthor.objects.bulk_create(
        ArticleAuthor(article_id=article_id, profile=profiles[author_id], position=1)
        for article_id, author_id in Article.objects.exclude(author=None).values_list(
            "pk", "author_id"
        )
        if article_id not in bylined
    )


class Migration(migrations.Migration):
    dependencies = [("articles", "0019_author_profile_pages")]

    operations = [migrations.RunPython(bylines_from_authors, migrations.RunPython.noop)]
