import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def first_tag_as_primary(apps, schema_editor):
    """Every article with tags gets the first one it was given (the oldest link) as its
    primary tag, in one statement."""
    Article = apps.get_model("articles", "Article")
    TaggedArticle = apps.get_model("articles", "TaggedArticle")
    first = (
        TaggedArticle.objects.filter(content_object=OuterRef("pk")).order_by("pk").values("tag")[:1]
    )
    Article.objects.filter(primary_tag__isnull=True, taggedarticle__isnull=False).update(
        primary_tag=Subquery(first)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0007_delete_published_permission"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="primary_tag",
            field=models.ForeignKey(
                blank=True,
                help_text=(
                    "The topic this article belongs to first: its breadcrumb, and the related "
                    "articles shown first. One of its tags; left empty, its most used tag."
                ),
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="primary_for",
                to="taggit.tag",
                verbose_name="primary tag",
            ),
        ),
        migrations.RunPython(first_tag_as_primary, migrations.RunPython.noop, elidable=True),
    ]
