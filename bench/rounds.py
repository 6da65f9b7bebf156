"""The rounds of a run, each with the proof that it measured what it names."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.seed import content_words
from bench.stack import Site, fetch
from bench.wrk import FRESH_CONNECTIONS, Queries, fetch_each, fresh_searches, run_wrk

FRESH_QUERIES = 200
MEMORY_REQUESTS = 20_000

# The search asked again and again: the vocabulary's two most used words a reader types.
REPEATED = "+".join(content_words()[:2])
BASELINE = "baseline (stored page through Django)"
FRESH = f"search (new queries, {FRESH_CONNECTIONS} connections)"
# The mixed round twice: from an emptied cache (the first minutes of a new site, or of a
# flushed Redis), and as a live site sees it after an editor's save (every article visited
# before, then a word fixed in the newest article: bench/editing.py).
MIXED_COLD = "mixed traffic (emptied cache)"
MIXED_WARM = "mixed traffic (after an editor's save)"
MIXED_LOCAL = "mixed traffic (per-process caches)"  # without Redis: neither can be made


class Dishonest(Exception):
    """A round did not measure what it names: its numbers must not be trusted."""


@dataclass
class Round:
    name: str
    url: str
    script: str = "plain"
    proof: object = None  # (status, body) -> None, raises Dishonest
    tables: dict = field(default_factory=dict)
    before: Callable[[], None] | None = None  # before each measured run


def links_articles(status: int, body: str) -> None:
    if status != 200 or 'href="/articles/' not in body:
        raise Dishonest(f"answered {status} without article links")


def measure_size(site: Site, args, queries: Queries, problems: list[str]) -> dict:
    """Every round, every time; what a round could not prove goes to `problems`."""
    app, duration, connections = site.app, args.duration, args.connections
    words = content_words()
    mixed_tables = {
        "SLUGS": site.slugs,
        "TAGS": site.tags,
        "WORDS": words,
        "REPEATED": ["+".join(words[i : i + 2]) for i in range(0, 10, 2)],
    }

    def same_page(status: int, body: str) -> None:
        if status != 200 or body.encode() != site.page:
            raise Dishonest("the baseline does not serve the stored article page")

    def sitemap(status: int, body: str) -> None:
        if status != 200 or "<loc>" not in body:
            raise Dishonest("the sitemap lists nothing")

    rounds = [
        Round(BASELINE, app + "/__bench__/baseline", proof=same_page),
        Round("article (counting views)", app + site.article_path, "reader", links_articles),
        Round("home", app + "/", proof=links_articles),
        Round("tag", f"{app}/tags/{site.tags[0]}/", proof=links_articles),
        Round("popular", app + "/popular/", proof=links_articles),
        Round("search (a query asked again)", f"{app}/search/?q={REPEATED}", proof=links_articles),
        Round(FRESH, ""),
        Round("sitemap", app + "/sitemap-articles.xml", proof=sitemap),
        Round("static file via nginx", f"http://127.0.0.1:{site.nginx_port}/article.html"),
        # Without Redis each worker's cache is its own: nothing to empty from outside, and
        # an editor's save elsewhere reaches none of them.
        Round(
            MIXED_COLD if site.redis else MIXED_LOCAL,
            app + "/",
            "mixed",
            tables=mixed_tables,
            before=site.empty_cache if site.redis else None,
        ),
    ]
    wrk_args = {"work": site.work, "duration": duration, "connections": connections}
    print("  warming up ...", flush=True)
    for round_ in rounds:
        if round_.name == FRESH:
            fresh_searches("127.0.0.1", site.port, queries.batch(40))
            continue
        if round_.proof:
            try:
                round_.proof(*fetch(round_.url))
            except Dishonest as error:
                problems.append(f"{round_.name}: {error}")
        run_wrk(round_.url, round_.script, **{**wrk_args, "duration": 2}, **round_.tables)
    found = {r.name: [] for r in rounds}
    for number in range(1, args.rounds + 1):
        print(f"  round {number} of {args.rounds} ...", flush=True)
        for round_ in rounds:
            if round_.name == FRESH:
                result = fresh_searches("127.0.0.1", site.port, queries.batch(FRESH_QUERIES))
                if result["unechoed"]:
                    problems.append(
                        f"{FRESH}: {result['unechoed']} pages in round {number} do not show"
                        " the query they were asked"
                    )
                found[FRESH].append(result)
                continue
            counting = round_.script == "reader"
            before = site.views_recorded() if counting else 0
            if round_.before:
                round_.before()
            result = run_wrk(round_.url, round_.script, **wrk_args, **round_.tables)
            if counting and (mismatch := check_views(result, site.views_recorded() - before)):
                problems.append(f"{mismatch} in round {number}")
            found[round_.name].append(result)
    if site.redis:
        found[MIXED_WARM] = after_an_editors_save(site, args, rounds[0], rounds[-1])
    for name, runs in found.items():
        problems += [
            f"{name}: {result['errors']} errors in round {number} ({result.get('detail', '')})"
            for number, result in enumerate(runs, start=1)
            if result["errors"]
        ]
    # Right after the mixed round.
    rss = site.worker_rss()
    memory = {"after mixed": rss}
    if args.memory_requests:
        print(f"  {args.memory_requests:,} requests with distinct fbclid values ...", flush=True)
        answered = 0
        while answered < args.memory_requests:
            # wrk runs its whole duration even once every thread has stopped: short runs,
            # each thread stopping at its share of what is left.
            left = args.memory_requests - answered
            result = run_wrk(
                app + site.article_path,
                "fbclid",
                **{**wrk_args, "duration": 5},
                limit=-(-left // 2),
            )
            if result["errors"]:
                problems.append(f"fbclid requests: {result['errors']} errors ({result['detail']})")
            if not result["counts"]["ok"]:
                break
            answered += result["counts"]["ok"]
        memory["answered"] = answered
        memory["after fbclid"] = site.worker_rss()
    return {"rounds": found, "memory": memory}


def after_an_editors_save(site: Site, args, baseline: Round, mixed: Round) -> list[dict]:
    """The mixed round as a live site sees it: every article visited once (its page and
    the parts kept apart from it), then an editor's save (a word fixed in the newest
    article) before each run. Each run's ratio is taken against a baseline run just before
    it."""
    print(f"  visiting each of the {len(site.slugs):,} articles once ...", flush=True)
    started = time.monotonic()
    visits = fetch_each(
        "127.0.0.1", site.port, [f"/articles/{slug}/" for slug in site.slugs], args.connections
    )
    failed = sum(1 for _, status, _, _ in visits if status != 200)
    print(f"  ... in {time.monotonic() - started:.0f}s ({failed} not 200)", flush=True)
    wrk_args = {"work": site.work, "duration": args.duration, "connections": args.connections}
    runs = []
    for _ in range(args.rounds):
        base = run_wrk(baseline.url, baseline.script, **wrk_args)
        site.editor_save()
        result = run_wrk(mixed.url, mixed.script, **wrk_args, **mixed.tables)
        result["base"] = base["rps"]
        result["errors"] += failed
        failed = 0  # counted once
        runs.append(result)
    return runs


def check_views(result: dict, recorded: int) -> str | None:
    """The counted round's proof. Every 2xx answer must be one view. wrk stops with up to one
    request per connection unanswered, which the server still answers (and counts)."""
    counts = result["counts"]
    answered, unanswered = counts["ok"], counts["sent"] - counts["ok"] - counts["failed"]
    result["views"] = (recorded, answered, unanswered)
    if not answered <= recorded <= answered + unanswered:
        return (
            f"article (counting views): {answered:,} pages answered 2xx"
            + (f" (and {unanswered} cut off by wrk's end)" if unanswered else "")
            + f" but {recorded:,} views recorded"
        )
    return None
