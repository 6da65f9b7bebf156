"""Production settings plus the benchmark's baseline page (bench/urls.py): bench/run only."""

import os

from happyinnerself.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# The stored article page the baseline view serves (written by bench/stack.py).
BENCH_BASELINE_FILE = os.environ.get("BENCH_BASELINE_FILE", "")
