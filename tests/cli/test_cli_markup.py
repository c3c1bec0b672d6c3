"""User text that looks like Rich markup is printed as written by every command that
shows it: no ``MarkupError`` crash, no summary lost, no ``[columns]`` swallowed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import Cli

MARKUP = "[/red] [bold]x[/bold] ['a', 'b']"


def _clean(result: object) -> None:
    text = f"{result}"
    # A user's failure shows its own trimmed traceback; never Assetline's frames.
    assert "assets_core" not in text and "MarkupError" not in text, text


def test_markup_in_errors_and_keys_is_printed_verbatim(
    cli: Cli, fixture_path: Callable[[str], Path]
) -> None:
    loc = fixture_path("markup_text")
    run = cli("materialize", "-f", loc, "--select", "fine, broken")
    _clean(run)
    assert run.returncode == 1, run
    # The live line, the summary table and the failure's own lines show it in full.
    assert run.stdout.count(f"bad columns {MARKUP}") >= 2, run
    assert "FAILURE in" in run.stdout.splitlines()[-1], run
    run_id = run.stdout.split()[1].rstrip(":")

    parts = cli("materialize", "-f", loc, "--select", "regional", "--partition", "[bold]us")
    _clean(parts)
    assert parts.returncode == 0, parts
    assert "regional[[bold]us] SUCCESS" in parts.stdout, parts

    shown = cli("run", run_id)
    _clean(shown)
    assert shown.returncode == 0, shown
    assert (
        f"broken failed: The function of asset broken raised ValueError: bad columns {MARKUP}"
        in (shown.stdout)
    ), shown

    check = cli("check", "-f", loc, "--select", "fine")
    _clean(check)
    assert check.returncode == 1, check
    assert "fine:fine_is_short ERRORED" not in check.stdout
    assert f"fine:fine_is_short FAILED (error) too long {MARKUP}" in check.stdout, check
    assert check.stdout.splitlines()[-1] == "0 passed, 1 failed", check

    status = cli("status", "-f", loc, "--partitions", "regional")
    _clean(status)
    assert status.returncode == 0, status
    assert "[bold]us" in status.stdout, status

    table = cli("status", "-f", loc)
    _clean(table)
    assert "check fine_is_short failed" in table.stdout, table
