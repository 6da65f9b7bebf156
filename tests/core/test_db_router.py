"""Work a reader's request triggers that must read what it writes reads from the primary."""

from django.conf import settings
from django.test import RequestFactory

from articles.models import Article
from core.db_router import PrimaryReplicaRouter, ReplicaReadsMiddleware, primary_reads


def test_primary_reads_inside_a_readers_request(monkeypatch):
    # The router only asks whether a replica is configured; nothing connects to it here.
    monkeypatch.setitem(settings.DATABASES, "replica", settings.DATABASES["default"])
    router, seen = PrimaryReplicaRouter(), []

    def view(request):
        seen.append(router.db_for_read(Article))
        with primary_reads():
            seen.append(router.db_for_read(Article))
        seen.append(router.db_for_read(Article))

    ReplicaReadsMiddleware(view)(RequestFactory().get("/"))
    assert seen == ["replica", "default", "replica"]
