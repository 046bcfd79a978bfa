"""At 800 px wide nothing is pushed off-screen: the header wraps, wide tables scroll inside
themselves, and every page's document is no wider than the window."""

from __future__ import annotations

from typing import Any

import pytest
from page_screenshots import screenshot  # type: ignore[import-not-found]
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

WIDTH = 800
HEADER_LINKS = ("Runs", "Compare", "Sweeps", "Jobs", "Artifacts", "GPU", "Remote", "Import")


def _overflowing(page: Any) -> list[str]:
    """The elements that reach past the window's right edge (none inside a scrolling box)."""
    return page.evaluate(
        """(width) => {
          const out = [];
          for (const el of document.querySelectorAll("body *")) {
            const r = el.getBoundingClientRect();
            if (r.width === 0 || r.right <= width + 1) continue;
            let clipped = false;
            for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
              const s = getComputedStyle(p);
              const inside = p.getBoundingClientRect().right <= width + 1;
              if (/(auto|scroll|hidden|clip)/.test(s.overflowX) && inside) {
                clipped = true;
                break;
              }
            }
            if (!clipped) out.push(`${el.tagName.toLowerCase()}.${el.className} ${Math.round(r.right)}px`);
          }
          return out.slice(0, 8);
        }""",
        WIDTH,
    )


def test_at_800_px_every_main_page_fits_the_window_and_the_header_links_stay_visible(
    make_run: Any, open_ui: Any
) -> None:
    runs = [
        make_run(
            name="wide-experiment-with-a-long-name",
            config={"optimizer": opt, "learning_rate": lr, "batch_size": 64, "scheduler": "cosine-warmup"},
            steps=20,
        )
        for opt, lr in (("adam", 1e-3), ("sgd", 1e-2))
    ]
    ids = ",".join(r.id for r in runs)
    page = open_ui("/")
    page.set_viewport_size({"width": WIDTH, "height": 900})
    pages = {
        "runs": "/",
        "charts": "/?view=charts&group=config.optimizer",
        "parallel": "/?view=parallel",
        "scatter": "/?view=scatter",
        "run": f"/runs/{runs[0].id}",
        "compare": f"/compare?ids={ids}",
        "jobs": "/jobs",
        "sweeps": "/sweeps",
        "artifacts": "/artifacts",
        "remote": "/remote",
        "import": "/import",
    }
    too_wide = []
    for name, path in pages.items():
        page.goto(path)
        page.wait_for_load_state("networkidle")
        for label in HEADER_LINKS:
            link = page.locator("header").get_by_role("link", name=label, exact=True)
            expect(link).to_be_visible()
            box = link.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, (name, label, box)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > WIDTH:
            too_wide.append(f"{name}: the page is {width} px wide: {_overflowing(page)}")
        screenshot(page, f"narrow-800-{name}", full_page=False)
    assert not too_wide, "\n".join(too_wide)
