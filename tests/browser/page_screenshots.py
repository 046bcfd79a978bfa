"""Screenshots of pages for a person to look at: test-artifacts/screenshots/<name>.png (git-ignored).

A plain module, not part of conftest, so test modules import it by a name no other test folder uses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def screenshot(page: Any, name: str, full_page: bool = True) -> None:
    """``full_page=False`` keeps to the viewport (a page too tall to picture whole)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)
