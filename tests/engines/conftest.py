"""Engines tests: the built dist/ in Firefox ESR and WebKitGTK (Selenium), under a sub-path.

The server and the Chromium helpers come from tests/browser/conftest.py; the drivers,
and what each engine can and cannot report, are in engine_drivers.py.
"""
from __future__ import annotations

import pathlib

import pytest
from engine_drivers import Pool, browser_conftest

HERE = pathlib.Path(__file__).parent


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in pathlib.Path(item.fspath).parents:
            item.add_marker(pytest.mark.engines)


@pytest.fixture(scope="module")
def server():
    s = browser_conftest.Server()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def pool():
    p = Pool()
    yield p
    p.close()
