"""The tables printed after a run, each number against its target."""

from __future__ import annotations

import os
import statistics

from bench.rounds import BASELINE, FRESH, MIXED_COLD, MIXED_LOCAL, MIXED_WARM

# (lowest ratio to the baseline, highest p99 in ms) per round, from issue 16.
TARGETS = {
    "article (counting views)": (0.5, 50),
    "home": (0.5, 50),
    "tag": (0.5, 50),
    "popular": (0.5, 50),
    "search (a query asked again)": (0.4, None),
    MIXED_COLD: (0.4, 100),
    MIXED_WARM: (0.4, 100),
}
FRESH_P50_MS, FRESH_P99_MS = 60, 200  # at 10,000 articles
WORKER_RSS_MB, WORKER_GROWTH_MB = 150, 10


def summarise(found: dict[str, list[dict]]) -> dict[str, dict]:
    """Per round: medians over the rounds of req/s, p50 and p99, the worst round's p99, and
    the median of the rounds' ratios to the baseline measured in the same round (or, for a
    run that carries its own, `base`, to the baseline run just before it)."""
    base = [r["rps"] for r in found[BASELINE]]
    return {
        name: {
            "rps": statistics.median(r["rps"] for r in runs),
            "p50": statistics.median(r["p50"] for r in runs),
            "p99": statistics.median(r["p99"] for r in runs),
            "p99_max": max(r["p99"] for r in runs),
            "ratio": statistics.median(
                r["rps"] / r.get("base", b) for r, b in zip(runs, base, strict=True)
            ),
            "errors": sum(r["errors"] for r in runs),
        }
        for name, runs in found.items()
    }


def verdict(name: str, r: dict, articles: int) -> str:
    if name == FRESH:
        if articles < 10_000:
            return "-"
        missed = []
        if r["p50"] >= FRESH_P50_MS:
            missed.append(f"p50 ≥ {FRESH_P50_MS}")
        if r["p99"] >= FRESH_P99_MS:
            missed.append(f"p99 ≥ {FRESH_P99_MS}")
        return "MISSED " + ", ".join(missed) if missed else "ok"
    if name not in TARGETS:
        return "-"
    ratio, p99 = TARGETS[name]
    missed = []
    if r["ratio"] < ratio:
        missed.append(f"< {ratio}×")
    if p99 is not None and r["p99"] >= p99:
        missed.append(f"p99 ≥ {p99}")
    return "MISSED " + ", ".join(missed) if missed else "ok"


def report(articles: int, measured: dict, queries: dict, args, page_bytes: int) -> None:
    results = summarise(measured["rounds"])
    print(
        f"\n{articles:,} articles: {args.connections} connections, {args.rounds} rounds of "
        f"{args.duration}s per page (medians over the rounds; p99 max: the worst round; "
        f"× base: the median of each round's ratio), article page {page_bytes / 1024:.0f} KB, "
        f"{os.cpu_count()} cores\n"
    )
    columns = ("page", "req/s", "p50 ms", "p99 ms", "p99 max", "× base", "errors", "queries")
    header = f"{columns[0]:40}" + "".join(f" {c:>8}" for c in columns[1:]) + "  target"
    print(header)
    print("-" * len(header))
    for name, r in results.items():
        print(
            f"{name:40} {r['rps']:>8.0f} {r['p50']:>8.2f} {r['p99']:>8.2f} {r['p99_max']:>8.2f} "
            f"{r['ratio']:>8.2f} {r['errors']:>8} {queries.get(name, '-')!s:>8}  "
            + verdict(name, r, articles)
        )
    counted = [r["views"] for r in measured["rounds"]["article (counting views)"]]
    print(
        "\nviews recorded / 2xx answers (+ cut off by wrk's end) per counting round: "
        + ", ".join(f"{v:,}/{a:,} (+{u})" for v, a, u in counted)
    )
    name = next(n for n in (MIXED_WARM, MIXED_COLD, MIXED_LOCAL) if n in measured["rounds"])
    mixed = measured["rounds"][name][-1]["counts"]
    sent = mixed["sent"]
    print(
        f"{name} (last round): "
        + ", ".join(
            f"{key.replace('_', ' ')} {mixed[key] / sent:.0%}"
            for key in ("articles", "home", "tags", "searches_again", "searches_new", "popular")
        )
        + f"; {mixed['tracked'] / max(mixed['articles'], 1):.0%} of article pages tracked"
    )
    memory = measured["memory"]
    after = memory["after mixed"]
    line = "gunicorn workers RSS after the mixed round: " + ", ".join(
        f"{rss / 2**20:.0f} MB" for rss in after.values()
    )
    fits = max(after.values()) <= WORKER_RSS_MB * 2**20
    line += f" (target ≤ {WORKER_RSS_MB} MB: {'ok' if fits else 'MISSED'})"
    print(line)
    if "after fbclid" in memory:
        later = memory["after fbclid"]
        growth = [
            (later[pid] - rss) / 2**20 if pid in later else None for pid, rss in after.items()
        ]
        shown = ", ".join("restarted" if g is None else f"{g:+.1f} MB" for g in growth)
        worst = max((g for g in growth if g is not None), default=0)
        print(
            f"growth over {memory['answered']:,} requests with distinct fbclid values: {shown}"
            f" (target < {WORKER_GROWTH_MB} MB: {'ok' if worst < WORKER_GROWTH_MB else 'MISSED'})"
        )
