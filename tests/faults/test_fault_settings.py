"""The settings of crash recovery and reconnection work or are rejected with a message."""

from __future__ import annotations

import pytest

from assets_core.catalog.reconnect import reconnect_window
from assets_core.errors import UsageError
from assets_ui.recovery import recovery_interval


@pytest.mark.parametrize("bad", ["soon", "-1", "nan"])
def test_bad_reconnect_windows_are_rejected(monkeypatch: pytest.MonkeyPatch, bad: str) -> None:
    monkeypatch.setenv("ASSETLINE_CATALOG_RECONNECT_S", bad)
    with pytest.raises(UsageError, match="ASSETLINE_CATALOG_RECONNECT_S="):
        reconnect_window()


def test_reconnect_window_default_and_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSETLINE_CATALOG_RECONNECT_S", raising=False)
    assert reconnect_window() == 30.0
    monkeypatch.setenv("ASSETLINE_CATALOG_RECONNECT_S", "0")
    assert reconnect_window() == 0.0


@pytest.mark.parametrize("bad", ["often", "0", "-5"])
def test_bad_recovery_intervals_are_rejected(monkeypatch: pytest.MonkeyPatch, bad: str) -> None:
    monkeypatch.setenv("ASSETLINE_RECOVERY_EVERY_S", bad)
    with pytest.raises(UsageError, match="ASSETLINE_RECOVERY_EVERY_S="):
        recovery_interval()
    monkeypatch.setenv("ASSETLINE_RECOVERY_EVERY_S", "2.5")
    assert recovery_interval() == 2.5
