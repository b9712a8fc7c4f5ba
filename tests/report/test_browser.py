"""The saved tearsheet in headless Chromium: loads offline without errors, every plot shown.

Chromium is Debian's package (installed by ``.ci/setup-chromium.sh``), driven by
playwright with ``executable_path`` -- no ``playwright install`` download. Without a
Chromium binary this test FAILS (the report's rendering is part of what CI checks);
``QUANTLAB_CHROMIUM`` overrides the binary's path.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

IMAGES_JS = """() => Array.from(document.images).map(i => ({
    alt: i.alt, complete: i.complete, width: i.naturalWidth, height: i.naturalHeight}))"""


def chromium_path() -> str:
    candidates = [
        os.environ.get("QUANTLAB_CHROMIUM"),
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
        "/usr/bin/chromium",
    ]
    for path in candidates:
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    pytest.fail(
        "Chromium not found (looked at $QUANTLAB_CHROMIUM, chromium, chromium-browser, "
        "/usr/bin/chromium). Install it with `bash .ci/setup-chromium.sh` "
        "(apt-get install chromium) or point QUANTLAB_CHROMIUM at a Chromium binary."
    )


def test_tearsheet_renders_in_headless_chromium(full_tearsheet, tmp_path: Path) -> None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is in the test extra
        pytest.fail("playwright is not installed: pip install -e '.[test]'")
    executable = chromium_path()
    page_file = full_tearsheet.save(tmp_path / "tearsheet.html")
    screenshot = tmp_path / "tearsheet.png"
    errors: list[str] = []
    foreign_requests: list[str] = []

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1120, "height": 900})
            page.on(
                "console",
                lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None,
            )
            page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
            page.on(
                "request",
                lambda req: (
                    None
                    if req.url.startswith(("file:", "data:"))
                    else foreign_requests.append(req.url)
                ),
            )
            page.goto(page_file.as_uri(), wait_until="load", timeout=30_000)
            images = page.evaluate(IMAGES_JS)
            headings = page.eval_on_selector_all("h2", "els => els.map(e => e.textContent)")
            title = page.title()
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()

    assert errors == []
    assert foreign_requests == []
    assert title == full_tearsheet.title
    assert headings == full_tearsheet.sections
    assert len(images) == full_tearsheet.html.count("<img ") == 9
    broken = [im for im in images if not (im["complete"] and im["width"] > 0)]
    assert broken == [], broken
    assert all(im["height"] > 100 for im in images), images
    assert screenshot.stat().st_size > 50_000


def test_missing_chromium_fails_not_skips(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QUANTLAB_CHROMIUM", raising=False)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(os.path, "isfile", lambda path: False)
    with pytest.raises(pytest.fail.Exception, match="setup-chromium.sh"):
        chromium_path()
