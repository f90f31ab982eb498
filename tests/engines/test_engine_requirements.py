"""A missing engine is a skip with the reason in a developer's run, and a failure in CI."""
import engine_drivers
import pytest


def test_a_missing_engine_skips_a_developer_run_and_fails_ci(monkeypatch):
    monkeypatch.setattr(engine_drivers, "missing", lambda engine: "WebKitWebDriver is missing")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="webkit: WebKitWebDriver is missing"):
        engine_drivers.require("webkit")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must install it"):
        engine_drivers.require("webkit")


def test_the_reason_names_what_to_install(monkeypatch):
    monkeypatch.setattr(engine_drivers.os.path, "exists", lambda path: False)
    assert "apt-get install firefox-esr" in engine_drivers.missing("firefox")
    assert "apt-get install webkit2gtk-driver" in engine_drivers.missing("webkit")
