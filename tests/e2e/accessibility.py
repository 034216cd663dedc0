"""axe-core (npm, package.json) run in the page under test: the serious and critical WCAG 2.2 A/AA
violations it finds. The script is evaluated through the DevTools protocol, which the page's
Content-Security-Policy does not govern (a <script> tag with its text would be refused)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SERIOUS = {"serious", "critical"}


@cache
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def serious_violations(page) -> list[str]:
    """One line per serious or critical violation on the page as it is now: rule, impact, where."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    violations = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})"
        ".then((r) => r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map((n) => n.target.join(' ') + ' — ' + n.failureSummary)})))",
        TAGS,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {'; '.join(v['nodes'][:5])}"
        for v in violations
        if v["impact"] in SERIOUS
    ]
