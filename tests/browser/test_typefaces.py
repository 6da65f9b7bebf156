"""The site's own typefaces, as a reader's browser gets them: from the site itself, in the
body text, and without a jolt when they arrive (CLS 0), on a phone and a desktop, light and dark.
"""

import time
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True)

# Each page type, and a paragraph of its body text.
PAGES = {
    "/": ".card__standfirst",
    "/articles/face-twitching-mystery/": ".prose p",
    "/tags/stress/": ".card__standfirst",
}
VIEWS = [(375, "light"), (375, "dark"), (1280, "light"), (1280, "dark")]

# Every layout shift since the page started (input excluded, as Lighthouse counts them),
# with what moved, so a failure says where to look.
LAYOUT_SHIFTS = """() => new Promise(resolve => {
  const shifts = [];
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) {
      if (entry.hadRecentInput) continue;
      const moved = entry.sources.map(({node, previousRect, currentRect}) =>
        `${node?.nodeName}.${node?.className} ${previousRect.y}→${currentRect.y}`);
      shifts.push({value: entry.value, moved});
    }
  }).observe({type: "layout-shift", buffered: true});
  setTimeout(() => resolve(shifts), 500);
})"""

# Evaluated, not polled: the site's CSP (rightly) refuses the eval that polling needs.
LOADED = """async () => {
  if (document.readyState !== "complete") {
    await new Promise(resolve => addEventListener("load", resolve, {once: true}));
  }
  await document.fonts.ready;
}"""

# The faces the document has actually loaded (not merely declared).
LOADED_FACES = """async () => {
  await document.fonts.ready;
  return [...document.fonts].filter(f => f.status === "loaded").map(f => `${f.family} ${f.style}`);
}"""


@pytest.fixture
def demo(settings):
    settings.SERVE_MEDIA = True
    call_command("load_demo", stdout=StringIO())


def rendered_font(page, selector: str) -> list[str]:
    """The fonts Chromium really drew the element's text with (DevTools' "Rendered Fonts")."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    # A variable font reports its default instance's name ("Source Sans 3 ExtraLight"),
    # whatever weight it draws.
    return [f["familyName"] for f in fonts if f["isCustomFont"]]


def drawn_in(page, selector: str, family: str) -> bool:
    fonts = rendered_font(page, selector)
    return bool(fonts) and all(name.startswith(family) for name in fonts)


@pytest.mark.parametrize(("width", "scheme"), VIEWS, ids=[f"{w}-{s}" for w, s in VIEWS])
def test_every_font_comes_from_the_site_and_is_the_one_drawn(
    new_page, live_server, demo, width, scheme
):
    page = new_page(width=width, height=860)
    page.emulate_media(color_scheme=scheme)
    requests = []
    page.on("request", lambda request: requests.append(request))
    site = urlsplit(live_server.url).netloc
    for path, body in PAGES.items():
        requests.clear()
        page.goto(path)
        faces = page.evaluate(LOADED_FACES)
        assert "Source Serif 4 normal" in faces, f"{path}: {faces}"
        assert "Source Sans 3 normal" in faces, f"{path}: {faces}"
        elsewhere = [r.url for r in requests if urlsplit(r.url).netloc != site]
        assert elsewhere == [], f"{path} asked another origin for {elsewhere}"
        fonts = [r.url for r in requests if r.resource_type == "font"]
        # Preloaded and used by the stylesheet: one request, not one each.
        assert len(fonts) == len(set(fonts)), f"{path} fetched a font twice: {fonts}"
        assert any(url.endswith(".woff2") and "source-serif-4" in url for url in fonts)
        assert drawn_in(page, body, "Source Serif 4"), f"{path}: {rendered_font(page, body)}"
        assert drawn_in(page, ".site-nav a", "Source Sans 3"), f"{path}: navigation"


@pytest.mark.parametrize(("width", "scheme"), VIEWS, ids=[f"{w}-{s}" for w, s in VIEWS])
def test_a_slow_font_moves_nothing_when_it_arrives(new_page, demo, width, scheme):
    """The fonts arrive 600 ms late, after the first paint in the stand-in faces: the
    swap must not shift what the reader is looking at (Lighthouse's CLS stays 0)."""
    page = new_page(width=width, height=860)
    page.emulate_media(color_scheme=scheme)

    def late(route):
        time.sleep(0.6)
        route.continue_()

    page.route("**/*.woff2", late)
    for path in PAGES:
        page.goto(path, wait_until="commit")
        page.evaluate(LOADED)
        assert page.evaluate("document.fonts.status") == "loaded"
        shifts = page.evaluate(LAYOUT_SHIFTS)
        total = sum(shift["value"] for shift in shifts)
        assert total < 0.001, f"{path}: cumulative layout shift {total:.4f}: {shifts}"
