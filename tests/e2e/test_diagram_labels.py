"""Labels fit their shapes in headless Chromium (static/js/diagram-labels.js): in the case, live and QA
viewers (one language: the English names are the longest) and the workbench (the seeds' bilingual
names), every task's name lies inside its shape and clear of the task's icon and markers."""

from __future__ import annotations

import pytest

from tests.complaint_driver import ComplaintCase
from tests.e2e.conftest import needs_chromium
from tests.e2e.test_workspace import log_in
from tests.repair_driver import RepairCase

pytestmark = [pytest.mark.e2e, needs_chromium]

# Each task-like shape with a name: [element id, how its name's text box fails] when it does not fit
# its rectangle or overlaps one of the shape's icons or markers (paths of the same visual).
MISFITS = """(container) => {
  const found = []
  const shapes = document.querySelectorAll(container + ' g.djs-element.djs-shape')
  for (const g of shapes) {
    const rect = g.querySelector(':scope > .djs-visual > rect')
    const text = g.querySelector(':scope > .djs-visual > text.djs-label')
    if (!rect || !text || !text.textContent.trim()) continue
    const s = rect.getBBox(), t = text.getBBox()
    if (t.x < s.x || t.y < s.y || t.x + t.width > s.x + s.width || t.y + t.height > s.y + s.height) {
      found.push([g.dataset.elementId, 'outside its shape'])
    }
    for (const icon of g.querySelectorAll(':scope > .djs-visual > path')) {
      const i = icon.getBBox()
      const across = Math.min(i.x + i.width, t.x + t.width) - Math.max(i.x, t.x)
      const down = Math.min(i.y + i.height, t.y + t.height) - Math.max(i.y, t.y)
      if (across > 0 && down > 0) { found.push([g.dataset.elementId, 'over its icon or marker']); break }
    }
  }
  const tasks = [...shapes].filter((g) => g.querySelector(':scope > .djs-visual > rect ~ text.djs-label')).length
  return {found, tasks}
}"""


def misfits(page, container: str) -> list:
    result = page.evaluate(MISFITS, container)
    assert result["tasks"] > 10, f"no task labels measured in {container}"
    return result["found"]


def test_every_task_label_fits_its_shape_in_the_viewers_and_the_workbench(page, as_user, screenshot):
    repair, complaint = RepairCase(as_user), ComplaintCase.received(as_user)
    log_in(page, "admin")
    page.click("button[name=language][value=en]")  # the longer names
    found = {}
    for name, case in (("repair", repair), ("complaint", complaint)):
        page.goto(f"/cases/{case.id}")
        page.wait_for_selector("#diagram.diagram-ready")
        found[f"{name} case"] = misfits(page, "#diagram")
    screenshot("diagram-labels-case.png")
    page.goto("/processes/complaint/versions/1/live")
    page.wait_for_selector("#live[data-ready=true]")
    found["complaint live"] = misfits(page, "#live")
    page.goto("/qa")
    page.wait_for_selector("#qa-diagram[data-ready=true]")
    found["repair QA"] = misfits(page, "#qa-diagram")
    for key in ("repair", "complaint"):
        page.goto(f"/workbench/{key}")
        page.wait_for_selector("#workbench[data-ready=true]")
        found[f"{key} workbench"] = misfits(page, "#wb-canvas")  # bilingual names: "中文 / English"
    screenshot("diagram-labels-workbench.png")
    bad = {where: rows for where, rows in found.items() if rows}
    assert not bad, bad
