"""The axe-core accessibility scan, as every browser test runs it."""

from pathlib import Path

import pytest
from django.conf import settings

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
# Page findings of these impacts fail a test; "moderate" and "minor" are left to judgement.
BLOCKING = {"serious", "critical"}

AXE_RUN = """async (within) => {
  const where = within ? {include: within.map(selector => [selector])} : document;
  const results = await axe.run(where, {resultTypes: ["violations"]});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
  }));
}"""


def axe_required() -> None:
    if not AXE.exists():
        pytest.fail("axe-core is missing: ./scripts/test installs it with npm ci.")


def serious_violations(page, *, within: list[str] | None = None) -> list[dict]:
    """The page's serious and critical axe findings (none is the goal); `within`: only
    those inside the elements these CSS selectors match.

    Evaluated through the DevTools protocol: the site's CSP (rightly) refuses an injected
    <script>, and the scan must not need the policy loosened.
    """
    axe_required()
    page.evaluate(AXE.read_text())
    return [v for v in page.evaluate(AXE_RUN, within) if v["impact"] in BLOCKING]
