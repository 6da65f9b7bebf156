from django.db import migrations, models


class Migration(migrations.Migration):
    """Readers' "Updated" date gets a field of its own. Existing articles start without
    one: their `updated_at` says when a row last changed (an import, a status), not that
    an editor changed the text, and a health site must not claim an update it never made."""

    dependencies = [("articles", "0008_article_primary_tag")]

    operations = [
        migrations.AddField(
            model_name="article",
            name="revised_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text=(
                    "When an editor last changed the words (title, standfirst or a section); "
                    "readers see it as 'Updated' when it is after the publication day. An "
                    "import keeps the file's updated_at, or none."
                ),
                null=True,
                verbose_name="text last changed",
            ),
        ),
    ]
