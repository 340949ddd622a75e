"""Accessibility checks shared by the browser tests: axe-core (pinned in package.json) and the phone width."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
BLOCKING = ("serious", "critical")


def axe_problems(page: Page, where: str) -> list[str]:
    """The serious and critical violations axe-core finds on the page as it is now, one line each."""
    if not AXE.exists():
        raise AssertionError(f"{AXE} is missing: `make browser` installs it (npm ci --prefix tests/browser).")
    if not page.evaluate("() => Boolean(window.axe)"):
        # An inline script: the page's policy refuses it unless the context was made with bypass_csp=True.
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run(document, { resultTypes: ['violations'] })")
    problems = []
    for violation in result["violations"]:
        if violation["impact"] in BLOCKING:
            targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:6])
            problems.append(f"{where}: {violation['impact']} {violation['id']} ({violation['help']}) at {targets}")
    return problems


def overflow(page: Page) -> int:
    """How many pixels the page is wider than the window (a phone would scroll sideways)."""
    return page.evaluate("() => document.scrollingElement.scrollWidth - window.innerWidth")


def focus_ring(page: Page) -> str:
    """The visible focus indicator of the focused element, or of the label that rings it for a radio, a checkbox or
    the hidden file picker: "" when there is none."""
    return page.evaluate(
        """() => {
          const element = document.activeElement;
          if (!element || element === document.body) return "";
          const candidates = [element, element.closest("label")];
          if (element.id) candidates.push(document.querySelector(`label[for="${element.id}"]`));
          for (const candidate of candidates.filter(Boolean)) {
            const box = candidate.getBoundingClientRect();
            if (box.width <= 1 || box.height <= 1) continue;  // hidden for the eye, its label shows the focus
            const style = getComputedStyle(candidate);
            if (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2) {
              return `${candidate.tagName.toLowerCase()}: outline ${style.outlineWidth} ${style.outlineColor}`;
            }
            if (style.boxShadow && style.boxShadow !== "none") {
              return `${candidate.tagName.toLowerCase()}: shadow ${style.boxShadow}`;
            }
          }
          return "";
        }"""
    )


def keep_picture(page: Page, name: str, *, full_page: bool = True) -> Path | None:
    """Save a picture for the README and tests/browser/screenshots/ when VEOUI_SCREENSHOTS names a folder."""
    folder = os.environ.get("VEOUI_SCREENSHOTS")
    if not folder:
        return None
    path = Path(folder) / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=full_page)
    return path


def photo(path: Path, top: str, bottom: str, size: tuple[int, int] = (720, 1280)) -> str:
    """A JPEG that reads as a picture in screenshots: a sky from ``top`` to ``bottom``, a sun and a hill."""
    from PIL import Image, ImageDraw

    width, height = size
    sky = Image.new("RGB", (1, 2))
    sky.putpixel((0, 0), Image.new("RGB", (1, 1), top).getpixel((0, 0)))
    sky.putpixel((0, 1), Image.new("RGB", (1, 1), bottom).getpixel((0, 0)))
    image = sky.resize((width, height), Image.Resampling.BILINEAR)
    draw = ImageDraw.Draw(image)
    radius, x, y = width // 7, width * 0.62, height * 0.3
    draw.ellipse((x - radius, y - radius, x + radius, y + radius), "#ffe9a8")
    draw.ellipse((-width * 0.4, height * 0.72, width * 1.4, height * 1.6), "#1f3d2b")
    image.save(path, "JPEG", quality=88)
    return str(path)
