from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from tests.factories import UserFactory


@pytest.fixture
def roles(db):
    call_command("setup_roles", stdout=StringIO())


@pytest.fixture
def editor(roles):
    user = UserFactory(username="eddie", is_staff=True, first_name="Eddie")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def owner(roles):
    user = UserFactory(username="olive", is_staff=True)
    user.groups.add(Group.objects.get(name="Site owners"))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def media_files(settings):
    """The files stored under MEDIA_ROOT right now, as paths relative to it."""

    def list_files() -> list[str]:
        root = settings.MEDIA_ROOT
        if not root.exists():
            return []
        return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())

    return list_files
