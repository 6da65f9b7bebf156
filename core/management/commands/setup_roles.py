"""Create the Authors, Editors and Site owners groups with exactly their permissions (and demo
accounts)."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q

AUTHORS = "Authors"
EDITORS = "Editors"
SITE_OWNERS = "Site owners"

# Permissions are named, not imported: roles span every app, and core imports none of them.
# Authors write, illustrate, preview and submit drafts for review; without publish_article
# the admin refuses them publishing, scheduling and changing a published article.
AUTHOR_PERMISSIONS = [
    "articles.add_article",
    "articles.change_article",
    "articles.view_article",
    "articles.add_section",
    "articles.change_section",
    "articles.delete_section",
    "articles.view_section",
    "articles.add_source",
    "articles.change_source",
    "articles.delete_source",
    "articles.view_source",
    "articles.view_slugredirect",
    # An article's byline: authors name who wrote it, from the profiles editors keep.
    "articles.add_articleauthor",
    "articles.change_articleauthor",
    "articles.delete_articleauthor",
    "articles.view_articleauthor",
    "articles.view_authorprofile",
    "taggit.add_tag",
    "taggit.view_tag",
]
# Editors also delete drafts, rename tags, and review, schedule and publish; deleting
# published articles is refused by the admin without the permission below, which only site
# owners get.
EDITOR_PERMISSIONS = [
    *AUTHOR_PERMISSIONS,
    "articles.delete_article",
    "articles.publish_article",
    "taggit.change_tag",
    # Author profiles (their pages, photos and links).
    "articles.add_authorprofile",
    "articles.change_authorprofile",
    "articles.add_authorlink",
    "articles.change_authorlink",
    "articles.delete_authorlink",
    "articles.view_authorlink",
    # Marking a tag sensitive (its articles show the "If you need help now" box).
    "articles.add_tagsettings",
    "articles.change_tagsettings",
    "articles.view_tagsettings",
]
OWNER_PERMISSIONS = [
    *EDITOR_PERMISSIONS,
    "articles.delete_published_article",
    # Giving up a renamed article's former address (it then answers 404).
    "articles.delete_slugredirect",
    "articles.delete_authorprofile",
    "taggit.delete_tag",
    # The medical disclaimer and the help resources readers are offered.
    "articles.view_trustsettings",
    "articles.change_trustsettings",
    "articles.add_helpresource",
    "articles.change_helpresource",
    "articles.delete_helpresource",
    "articles.view_helpresource",
    "auth.add_user",
    "auth.change_user",
    "auth.delete_user",
    "auth.view_user",
    "auth.view_group",
    # Unlocking an account locked out by django-axes is deleting its access attempts.
    "axes.view_accessattempt",
    "axes.delete_accessattempt",
    "axes.view_accesslog",
    "axes.view_accessfailurelog",
]
# Site owners also read the popularity statistics, when that app is installed: every
# view_* permission of the app and its own custom permissions; of add/change/delete only
# those of their own notes on days (DayNote) and of the read-only links they share (made and
# revoked, never deleted), never of the counts.
STATISTICS_APP = "popularity"
STATISTICS_WRITES = [
    "add_daynote",
    "change_daynote",
    "delete_daynote",
    "add_sharedstatslink",
    "change_sharedstatslink",
]

DEMO_ACCOUNTS = [
    # username, password, group: for local use only, refused unless DEBUG is on.
    ("author", "author-demo-password", AUTHORS),
    ("editor", "editor-demo-password", EDITORS),
    ("owner", "owner-demo-password", SITE_OWNERS),
]


def permissions_for(names: list[str]) -> list[Permission]:
    found = []
    for name in names:
        app_label, codename = name.split(".")
        permission = Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).first()
        if permission is None:
            raise CommandError(f"permission {name} does not exist: run `manage.py migrate` first")
        found.append(permission)
    return found


def statistics_permissions() -> list[Permission]:
    if not apps.is_installed(STATISTICS_APP):
        return []
    return list(
        Permission.objects.filter(content_type__app_label=STATISTICS_APP).exclude(
            (
                Q(codename__startswith="add_")
                | Q(codename__startswith="change_")
                | Q(codename__startswith="delete_")
            )
            & ~Q(codename__in=STATISTICS_WRITES)
        )
    )


class Command(BaseCommand):
    help = (
        "Create or update the groups Authors, Editors and Site owners with exactly their "
        "permissions. With --demo-users (local development only), also create the accounts "
        "author, editor and owner."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo-users",
            action="store_true",
            help=(
                "Also create the demo accounts author, editor and owner "
                "(refused unless DEBUG is on)."
            ),
        )

    @transaction.atomic
    def handle(self, *args, demo_users: bool = False, **options) -> None:
        if demo_users and not settings.DEBUG:
            raise CommandError("demo accounts have known passwords: only with DEBUG on")
        authors, _ = Group.objects.get_or_create(name=AUTHORS)
        authors.permissions.set(permissions_for(AUTHOR_PERMISSIONS))
        editors, _ = Group.objects.get_or_create(name=EDITORS)
        editors.permissions.set(permissions_for(EDITOR_PERMISSIONS))
        owners, _ = Group.objects.get_or_create(name=SITE_OWNERS)
        owners.permissions.set(permissions_for(OWNER_PERMISSIONS) + statistics_permissions())
        self.stdout.write(
            f"roles: {AUTHORS} ({authors.permissions.count()} permissions), "
            f"{EDITORS} ({editors.permissions.count()} permissions), "
            f"{SITE_OWNERS} ({owners.permissions.count()} permissions)"
        )
        if demo_users:
            self._demo_users({AUTHORS: authors, EDITORS: editors, SITE_OWNERS: owners})

    def _demo_users(self, groups: dict[str, Group]) -> None:
        User = get_user_model()
        for username, password, group in DEMO_ACCOUNTS:
            user, created = User.objects.get_or_create(username=username)
            if created:
                # An existing account keeps its password: a developer may have changed it.
                user.set_password(password)
            user.is_staff = True
            # An address to be told by (review e-mails go to the console while DEBUG is on).
            user.email = user.email or f"{username}@localhost"
            user.save()
            user.groups.add(groups[group])
            state = f"created with password {password}" if created else "already there"
            self.stdout.write(f"demo account {username} ({group}): {state}")
