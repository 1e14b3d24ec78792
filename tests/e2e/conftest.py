"""Browser-test harness: Debian's Chromium driven by Playwright against pytest-django's live server.

Use the `page` fixture (from pytest-playwright) with `live_server`, and `assert_accessible(page)`
to run axe-core on whatever the page shows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any], live_server: Any
) -> dict[str, Any]:
    # Asking for the live server here starts it before Chromium, so it stops after Chromium has
    # closed its keep-alive connections: no request thread is left to touch the database.
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM_PATH,
        "args": CHROMIUM_ARGS,
        "headless": True,
    }


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any], live_server: Any) -> dict[str, Any]:
    return {**browser_context_args, "base_url": live_server.url}


@pytest.fixture
def phone_page(browser: Any, live_server: Any) -> Any:
    """A page in a 375 px wide, touch, phone-sized context."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 375, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    yield context.new_page()
    context.close()


_axe = Axe()


LAYOUT_SHIFT_TOTAL = """() => new Promise(resolve => {
    let total = 0;
    new PerformanceObserver(list => {
        for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
    }).observe({type: 'layout-shift', buffered: true});
    setTimeout(() => resolve(total), 500);
})"""


def on_a_slow_connection(page: Page) -> None:
    """Throttle the page as Lighthouse's mobile run does: the browser paints the first part of
    a page before its scripts have run, which is when a page can jump."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 150,
            "downloadThroughput": 200_000,
            "uploadThroughput": 90_000,
        },
    )


def _describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        targets = [", ".join(node["target"]) for node in violation["nodes"]][:5]
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} -> {targets}")
    return "\n".join(lines)


@pytest.fixture
def assert_accessible() -> Callable[[Page], None]:
    """Run axe-core on the page as it is now; fail listing every violation."""

    def check(page: Page) -> None:
        results = _axe.run(page)
        violations = results.response["violations"]
        assert violations == [], "axe-core found violations:\n" + _describe(violations)

    return check


# The two widths every page is checked at, as a viewport (a phone is 375 x 812).
AXE_VIEWPORTS = {1280: {"width": 1280, "height": 900}, 375: {"width": 375, "height": 812}}


@pytest.fixture
def assert_accessible_light_and_dark(
    assert_accessible: Callable[[Page], None],
) -> Callable[[Page], None]:
    """axe on the page as it is now, in the light and then the dark colour scheme (the page is
    not reloaded, so a state reached by clicking is checked in both)."""

    def check(page: Page) -> None:
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            assert_accessible(page)

    return check


@pytest.fixture(autouse=True)
def _fresh_cache_for_each_browser_test() -> None:
    """Every browser test signs in from 127.0.0.1: counters left by the tests before it (the
    sign-in and tutor rate limits live in the cache) must not refuse it."""
    from django.core.cache import caches

    for alias in caches:
        caches[alias].clear()
