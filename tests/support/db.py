"""Database failures on demand, through Django's public hook on every query it runs
(connection.execute_wrapper), so a test breaks the database rather than patching our code."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import OperationalError, connection


@contextmanager
def writes_fail(table: str, message: str = "could not write: disk full") -> Iterator[None]:
    """Every statement that inserts into `table` fails as PostgreSQL would, until the end."""

    def fail_writes(execute, sql, params, many, context):
        if f"insert into {table} ".lower() in sql.lower():
            raise OperationalError(message)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fail_writes):
        yield
