"""The README's screenshot of the explorer: the seed's network, in the
backward pass, zoomed in on the hidden layer, node h under the mouse.

    python tools/explorer_screenshot.py [docs/images/explorer.png]

Drives Debian's Chromium through Playwright (pip install playwright; never
`playwright install`); CHROMIUM=/path/to/chromium to use another binary.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "demos"))
import explore_seed  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def main() -> int:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "images" / "explorer.png"
    page = explore_seed.seed_explorer()
    names = {node["name"]: node["id"] for node in page.data["nodes"]}
    h_step = next(k for k, step in enumerate(page.data["backward"]) if step["node"] == names["h"])
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        path = page.save(Path(folder) / "explorer.html")
        browser = playwright.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                                             args=ARGS)
        tab = browser.new_page(viewport={"width": 1500, "height": 760}, device_scale_factor=1)
        tab.goto(path.as_uri())
        tab.click("#fit")  # the page opens zoomed in at the inputs; this picture starts from the whole graph
        tab.keyboard.press("Home")
        for _ in range(len(page.data["forward"]) + h_step + 1):  # forward, then backward up to h
            tab.keyboard.press("ArrowRight")
        box = tab.locator("#op" + names['h'][1:]).bounding_box()  # the sigmoid between z and h
        tab.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        for _ in range(3):
            tab.mouse.wheel(0, -120)
        tab.mouse.move(300, 600)  # drag right a little, to bring x and W1 into view
        tab.mouse.down()
        tab.mouse.move(540, 560, steps=5)
        tab.mouse.up()
        tab.locator(f"#{names['h']} text").first.hover()  # its numbers in the side panel
        target.parent.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(target))
        browser.close()
    print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
