from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command

from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


def group_permissions(name: str) -> set[str]:
    permissions = Group.objects.get(name=name).permissions.select_related("content_type")
    return {f"{p.content_type.app_label}.{p.codename}" for p in permissions}


def test_editors_get_exactly_the_writing_permissions(roles):
    assert group_permissions("Editors") == {
        "articles.add_article",
        "articles.change_article",
        "articles.view_article",
        "articles.delete_article",
        "articles.add_section",
        "articles.change_section",
        "articles.delete_section",
        "articles.view_section",
        "articles.add_source",
        "articles.change_source",
        "articles.delete_source",
        "articles.view_source",
        "articles.view_slugredirect",
        "taggit.add_tag",
        "taggit.change_tag",
        "taggit.view_tag",
        "articles.publish_article",
        # bylines, and the author profiles they name (deleting one is the owners')
        "articles.add_articleauthor",
        "articles.change_articleauthor",
        "articles.delete_articleauthor",
        "articles.view_articleauthor",
        "articles.add_authorprofile",
        "articles.change_authorprofile",
        "articles.view_authorprofile",
        "articles.add_authorlink",
        "articles.change_authorlink",
        "articles.delete_authorlink",
        "articles.view_authorlink",
        "articles.add_tagsettings",
        "articles.change_tagsettings",
        "articles.view_tagsettings",
    }


def test_authors_write_and_submit_but_neither_publish_nor_delete(roles):
    authors = group_permissions("Authors")
    assert {"articles.add_article", "articles.change_article", "articles.add_section"} <= authors
    assert authors < group_permissions("Editors")
    assert not authors & {
        "articles.publish_article",
        "articles.delete_article",
        "articles.delete_published_article",
        "taggit.change_tag",
    }


def test_site_owners_get_everything_editors_have_plus_users_and_deletion(roles):
    owners = group_permissions("Site owners")
    assert group_permissions("Editors") < owners
    assert {
        "articles.delete_published_article",
        "articles.delete_authorprofile",
        "auth.add_user",
        "auth.change_user",
        "auth.delete_user",
        "axes.delete_accessattempt",
    } <= owners
    assert not {p for p in owners if p.startswith("auth.") and p.endswith("_permission")}


def test_running_again_repairs_drift_and_duplicates_nothing(roles):
    editors = Group.objects.get(name="Editors")
    editors.permissions.add(Permission.objects.get(codename="delete_user"))
    call_command("setup_roles", stdout=StringIO())
    assert "auth.delete_user" not in group_permissions("Editors")
    assert Group.objects.filter(name__in=["Authors", "Editors", "Site owners"]).count() == 3


def test_demo_accounts_are_created_only_for_local_use(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only with DEBUG on"):
        call_command("setup_roles", "--demo-users", stdout=StringIO())
    assert not get_user_model().objects.exists()

    settings.DEBUG = True
    out = StringIO()
    call_command("setup_roles", "--demo-users", stdout=out)
    editor = get_user_model().objects.get(username="editor")
    owner = get_user_model().objects.get(username="owner")
    author = get_user_model().objects.get(username="author")
    assert editor.check_password("editor-demo-password") and editor.is_staff
    assert author.check_password("author-demo-password") and author.is_staff
    assert list(author.groups.values_list("name", flat=True)) == ["Authors"]
    assert author.email, "the demo author is told by e-mail when an article comes back"
    assert not editor.is_superuser and not owner.is_superuser
    assert list(editor.groups.values_list("name", flat=True)) == ["Editors"]
    assert list(owner.groups.values_list("name", flat=True)) == ["Site owners"]
    assert "demo account editor (Editors): created with password" in out.getvalue()

    # A password a developer changed is kept.
    editor.set_password("my own")
    editor.save()
    call_command("setup_roles", "--demo-users", stdout=StringIO())
    editor.refresh_from_db()
    assert editor.check_password("my own")


def test_owner_manages_users_and_editor_may_not(client, editor, owner):
    client.force_login(owner)
    assert client.get("/admin/auth/user/").status_code == 200
    assert client.get(f"/admin/auth/user/{editor.pk}/change/").status_code == 200
    client.force_login(editor)
    assert client.get("/admin/auth/user/").status_code == 403


def test_owner_may_delete_a_published_article_and_editor_may_not(client, editor, owner):
    article = ArticleFactory()
    delete_url = f"/admin/articles/article/{article.pk}/delete/"
    client.force_login(editor)
    assert client.get(delete_url).status_code == 403
    client.force_login(owner)
    assert client.get(delete_url).status_code == 200


def test_owner_cannot_make_anyone_a_superuser_or_take_one_over(client, editor, owner):
    client.force_login(owner)
    html = client.get(f"/admin/auth/user/{editor.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in html and 'name="user_permissions"' not in html
    assert 'name="groups"' in html and 'name="is_active"' in html
    boss = UserFactory(username="boss", is_superuser=True, is_staff=True)
    read_only = client.get(f"/admin/auth/user/{boss.pk}/change/").content.decode()
    assert 'name="username"' not in read_only and 'name="_save"' not in read_only
    assert client.get(f"/admin/auth/user/{boss.pk}/password/").status_code == 403
    assert client.get(f"/admin/auth/user/{boss.pk}/delete/").status_code == 403
