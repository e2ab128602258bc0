"""The browser fixtures, for the dashboard's screenshot test in this folder."""

from tests.browser.conftest import browser, live_server, page  # noqa: F401
