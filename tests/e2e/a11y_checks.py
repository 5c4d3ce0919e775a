"""Shared checks of the accessibility tests: axe-core, the Tab walk with visible focus, and
pages that hold still under reduced motion."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

AXE = Axe()


def assert_axe_clean(page: Page, where: str) -> None:
    """No serious or critical axe-core violation on the page as it is now."""
    violations = AXE.run(page).response["violations"]
    bad = [v for v in violations if v["impact"] in ("serious", "critical")]
    lines = [
        f"  {v['id']} ({v['impact']}): {v['help']}; "
        f"{[' '.join(n['target']) for n in v['nodes'][:3]]}"
        for v in bad
    ]
    assert not bad, f"axe found problems ({where}):\n" + "\n".join(lines)


def focused(page: Page, selector: str) -> bool:
    return page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector)


def tab_to(page: Page, selector: str, back: bool = False, limit: int = 90) -> None:
    """Press Tab (or Shift+Tab) until the focus is on ``selector``."""
    for _ in range(limit):
        if focused(page, selector):
            return
        page.keyboard.press("Shift+Tab" if back else "Tab")
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def press(page: Page, key: str, times: int = 1) -> None:
    for _ in range(times):
        page.keyboard.press(key)


# Every element that should be a Tab stop (one per radio group), kept in the page for the walk.
TAB_STOPS_JS = """() => {
  const groups = new Set();
  window.__tabStops = [...document.querySelectorAll(
      'a[href], button, input, select, textarea, [tabindex]')]
    .filter((el) => el.tabIndex >= 0 && !el.disabled && el.getClientRects().length > 0
      && getComputedStyle(el).visibility === 'visible')
    .filter((el) => el.type !== 'radio' || (!groups.has(el.name) && groups.add(el.name)));
  return window.__tabStops.map(
    (el) => el.id || el.getAttribute('aria-label') || el.outerHTML.slice(0, 60));
}"""

# The focused element: which stop it is, its focus indicator, and whether it can be seen (the
# point near its top-left is the element itself, not a sticky bar drawn over it).
FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const stop = el.type === 'radio'
    ? window.__tabStops.find((r) => r.type === 'radio' && r.name === el.name) : el;
  const cs = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  const hit = document.elementFromPoint(
    r.left + Math.min(r.width / 2, 20), r.top + Math.min(r.height / 2, 8));
  const labels = [...(el.labels ?? [])];
  // A control enabled after the stops were listed (e.g. a threshold slider once its scores
  // arrive) is a stop too: give it its own number, so that it is not taken for another.
  if (!window.__tabStops.includes(stop)) window.__tabStops.push(stop);
  return {
    stop: window.__tabStops.indexOf(stop),
    name: `${el.tagName.toLowerCase()}#${el.id} `
      + (el.getAttribute('aria-label') || el.textContent || '').trim().slice(0, 30),
    outline: `${cs.outlineStyle} ${cs.outlineWidth}`,
    indicated: (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2)
      || cs.boxShadow !== 'none',
    clear: !!hit && (el.contains(hit) || hit.contains(el) || labels.some((l) => l.contains(hit))),
  };
}"""


def walk_focus(page: Page, where: str) -> int:
    """Tab once round the page (then once round backwards): every Tab stop is reached, and each
    shows a focus indicator of at least 2 px and is not hidden under anything."""
    stops = page.evaluate(TAB_STOPS_JS)
    assert stops, where
    problems: list[str] = []
    for key in ("Tab", "Shift+Tab"):
        reached: set[int] = set()
        first = None
        for _ in range(len(stops) + 12):  # slack for controls enabled during the walk
            page.keyboard.press(key)
            f = page.evaluate(FOCUS_JS)
            if f is None:
                continue  # the document itself, between the last stop and the first
            if f["stop"] == first:
                break
            first = f["stop"] if first is None else first
            reached.add(f["stop"])
            if not f["indicated"]:
                problems.append(f"{key}: no visible focus on {f['name']} (outline {f['outline']})")
            if not f["clear"]:
                problems.append(f"{key}: {f['name']} is covered by another element")
        missed = [stops[i] for i in range(len(stops)) if i not in reached]
        if missed:
            problems.append(f"{key} never reaches {missed}")
    assert not problems, f"focus ({where}):\n" + "\n".join(problems)
    return len(stops)


NO_MOTION_JS = """() => {
  const moving = [...document.querySelectorAll('*')].filter((el) => {
    const cs = getComputedStyle(el);
    return cs.animationName !== 'none'
      || cs.transitionDuration.split(',').some((d) => parseFloat(d) > 0);
  });
  return { running: document.getAnimations().length,
           styled: moving.slice(0, 5).map((el) => el.tagName + '#' + el.id) };
}"""


def assert_still(page: Page) -> None:
    state = page.evaluate(NO_MOTION_JS)
    assert state == {"running": 0, "styled": []}, state
