"""With DATABASE_REPLICA_URL, public reads come from the replica and writes go to the primary."""

import pytest

from tests.support.stack import admin_login, stack_start, stack_stop

SLUG = "face-twitching-mystery"


@pytest.fixture(scope="module")
def stack():
    running = stack_start("replica", with_replica=True)
    # Make the two databases tell apart: only the replica holds this title.
    running.sql(
        "prod_replica",
        "UPDATE articles_article SET title = %s WHERE slug = %s",
        ("Served from the replica", SLUG),
    )
    yield running
    stack_stop(running)


def test_public_pages_read_from_the_replica(stack):
    assert "Served from the replica" in stack.get("/").body
    assert "Served from the replica" in stack.get(f"/articles/{SLUG}/").body


def test_staff_read_from_the_primary_and_writes_land_there(stack):
    sessions_before = stack.sql("prod", "SELECT count(*) FROM django_session")[0][0]
    admin_login(stack)
    assert stack.sql("prod", "SELECT count(*) FROM django_session")[0][0] == sessions_before + 1
    assert stack.sql("prod_replica", "SELECT count(*) FROM django_session")[0][0] == 0
    change_list = stack.get("/admin/articles/article/")
    assert change_list.status == 200
    assert "The Face Twitching Mystery" in change_list.body
    assert "Served from the replica" not in change_list.body
    # Once logged in (a session cookie), even public pages read from the primary (a page
    # no one has asked for yet, so no cached fragment answers for it).
    topic = stack.get("/tags/botox/")
    assert "The Face Twitching Mystery" in topic.body
    assert "Served from the replica" not in topic.body
