import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """Editors' unsaved change forms, kept while they write: never the article itself."""

    dependencies = [
        ("articles", "0012_article_review_and_preview_links"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ArticleAutosave",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "draft_key",
                    models.CharField(
                        help_text="Made by the browser for one add form (or one article's form).",
                        max_length=64,
                    ),
                ),
                (
                    "data",
                    models.JSONField(help_text="The form's fields as [name, value] pairs."),
                ),
                (
                    "saved_at",
                    models.DateTimeField(db_index=True, default=django.utils.timezone.now),
                ),
                (
                    "article",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="autosaves",
                        to="articles.article",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="article_autosaves",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"verbose_name": "unsaved change", "ordering": ["-saved_at"]},
        ),
        migrations.AddConstraint(
            model_name="articleautosave",
            constraint=models.UniqueConstraint(
                condition=models.Q(("article__isnull", False)),
                fields=("user", "article"),
                name="autosave_one_per_user_article",
            ),
        ),
        migrations.AddConstraint(
            model_name="articleautosave",
            constraint=models.UniqueConstraint(
                condition=models.Q(("article__isnull", True)),
                fields=("user", "draft_key"),
                name="autosave_one_per_user_new_draft",
            ),
        ),
    ]
