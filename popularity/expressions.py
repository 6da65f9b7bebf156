"""Query expressions the popularity reads share."""

from __future__ import annotations

from typing import Any

from django.db.models import BigIntegerField, Sum
from django.db.models.functions import Cast, Coalesce


def big_sum(expression: Any, **extra: Any) -> Cast:
    """Sum(...) as a bigint, 0 when there is nothing to add.

    PostgreSQL adds bigints up into `numeric`, which would reach Python as a Decimal; cast
    back, every figure stays a plain int (exact up to 9.2 × 10^18).
    """
    return Cast(Coalesce(Sum(expression, **extra), 0), output_field=BigIntegerField())
