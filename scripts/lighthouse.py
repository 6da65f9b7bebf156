"""Lighthouse's performance audit of the readers' pages on a throttled phone, offline.

Lighthouse (the npm package pinned in package.json) drives Debian's chromium, never a
downloaded browser, with its default mobile settings: a mid-range phone's screen, a slow
4G connection and a CPU four times slower, simulated. It audits the home page, an article
and a topic, and fails when a page scores under 98 for performance or moves at all while
loading (cumulative layout shift over 0.0005: what Lighthouse shows as 0).

Starts the demo site as a newcomer would (`./scripts/run`) on a free local port, unless
--url names one already running. The runserver serves static files uncompressed, so the
score here is a floor for the production stack (compressed, cached for a year). Scores
move with the machine's load: on a busy machine use --runs 3 (the median is kept).

Usage (from the repository root; DATABASE_URL as for ./scripts/run):

    .venv/bin/python scripts/lighthouse.py [--url http://127.0.0.1:8000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.screenshots import CHROMIUM, demo_site  # noqa: E402

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
PAGES = {
    "home": "/",
    "article": "/articles/face-twitching-mystery/",
    "topic": "/tags/stress/",
}
CHROME_FLAGS = "--headless --no-sandbox --disable-background-networking"
LEAST_SCORE = 98
MOST_SHIFT = 0.0005


def audit(url: str) -> dict:
    """One Lighthouse run of `url`: its performance score (0–100) and main metrics."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        subprocess.run(
            [
                str(LIGHTHOUSE),
                url,
                "--quiet",
                "--only-categories=performance",
                f"--chrome-flags={CHROME_FLAGS}",
                "--output=json",
                f"--output-path={report}",
            ],
            check=True,
            env={**os.environ, "CHROME_PATH": CHROMIUM},
        )
        found = json.loads(report.read_text())
    audits = found["audits"]
    return {
        "score": round(found["categories"]["performance"]["score"] * 100),
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "lcp": audits["largest-contentful-paint"]["numericValue"],
        "tbt": audits["total-blocking-time"]["numericValue"],
    }


def audit_pages(base: str, runs: int) -> bool:
    """Audit every page `runs` times; print the medians; True when all meet the bar."""
    passed = True
    for name, path in PAGES.items():
        results = [audit(base + path) for _ in range(runs)]
        score = statistics.median(r["score"] for r in results)
        cls = statistics.median(r["cls"] for r in results)
        lcp = statistics.median(r["lcp"] for r in results)
        tbt = statistics.median(r["tbt"] for r in results)
        ok = score >= LEAST_SCORE and cls <= MOST_SHIFT
        passed &= ok
        print(
            f"{'ok  ' if ok else 'FAIL'} {name:8} performance {score:3.0f}  CLS {cls:.4f}  "
            f"LCP {lcp / 1000:.1f} s  TBT {tbt:.0f} ms  ({runs} run{'s' if runs > 1 else ''})"
        )
    return passed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a site already running (default: start the demo)")
    parser.add_argument("--runs", type=int, default=1, help="runs per page; the median is kept")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit("Debian's chromium is missing: apt-get install chromium")
    if not LIGHTHOUSE.exists():
        sys.exit("Lighthouse is missing: npm ci (package.json pins it)")
    if args.url:
        sys.exit(0 if audit_pages(args.url.rstrip("/"), args.runs) else 1)

    with demo_site() as url:
        passed = audit_pages(url, args.runs)
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
