from django.db import migrations, models


class Migration(migrations.Migration):
    """A draft may be saved without its standfirst (deferred validation); a published or
    scheduled article always has one. Every way of writing one required it until now, so no
    row should lack it: any that does gets its title rather than stop the deploy."""

    dependencies = [("articles", "0013_article_autosave")]

    operations = [
        migrations.AlterField(
            model_name="article",
            name="standfirst",
            field=models.CharField(
                blank=True,
                help_text=(
                    "One or two sentences shown in lists and search results (about 160 characters)."
                ),
                max_length=300,
            ),
        ),
        migrations.RunSQL(
            "UPDATE articles_article SET standfirst = left(title, 300) "
            "WHERE status = 'published' AND standfirst = ''",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.AddConstraint(
            model_name="article",
            constraint=models.CheckConstraint(
                condition=models.Q(status="draft") | ~models.Q(standfirst=""),
                name="article_published_has_standfirst",
            ),
        ),
    ]
