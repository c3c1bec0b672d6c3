"""``webhook(url, ...)``: where failures are reported (``on_failure=[...]`` on an asset
or on ``Definitions``). What is sent, and when, is ``execution/alerts.py``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from assets_core.errors import DefinitionError, caller_location

WebhookFormat = Literal["json", "slack"]
FORMATS = ("json", "slack")


@dataclass(frozen=True, slots=True)
class Webhook:
    """An HTTP endpoint told about failures. Build one with ``webhook(...)``.

    Attributes:
        url: Where the POST goes.
        format: ``json`` (the documented body) or ``slack`` (a Slack message).
        headers: Extra request headers (an ``Authorization`` token, say), as pairs.
        timeout_s: One attempt's timeout.
        attempts: Tries per alert (with backoff), the first included.
    """

    url: str
    format: WebhookFormat = "json"
    headers: tuple[tuple[str, str], ...] = ()
    timeout_s: float = 5.0
    attempts: int = 4

    @property
    def display(self) -> str:
        """The URL without its path and query (a Slack hook's path is its secret)."""
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}/…" if parts.path not in ("", "/") else self.url


def webhook(
    url: str,
    *,
    format: WebhookFormat = "json",
    headers: Mapping[str, str] | None = None,
    timeout_s: float = 5.0,
    attempts: int = 4,
) -> Webhook:
    """A webhook for ``on_failure=[...]``: a failed step (its function raised, or a
    blocking check failed) and an asset going OVERDUE (found by the daemon) POST an
    alert to ``url``; delivery is retried with backoff and never holds the run.

    Args:
        url: An ``http://`` or ``https://`` URL.
        format: ``"json"`` for the documented JSON body, ``"slack"`` for a Slack
            incoming-webhook message (``{"text": ...}``).
        headers: Extra request headers.
        timeout_s: One attempt's timeout, in seconds.
        attempts: Tries per alert (1 to 10), the first included.

    Raises:
        DefinitionError: A bad URL, format, timeout or number of attempts.
    """
    loc = caller_location()
    if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
        raise DefinitionError(
            f"webhook({url!r}): the URL must start with http:// or https://.", location=loc
        )
    if format not in FORMATS:
        raise DefinitionError(f'webhook(format={format!r}): use "json" or "slack".', location=loc)
    if isinstance(timeout_s, bool) or not isinstance(timeout_s, (int, float)) or timeout_s <= 0:
        raise DefinitionError("webhook(timeout_s=...) must be a number > 0.", location=loc)
    if isinstance(attempts, bool) or not isinstance(attempts, int) or not 1 <= attempts <= 10:
        raise DefinitionError("webhook(attempts=...) must be an int from 1 to 10.", location=loc)
    pairs = tuple((str(k), str(v)) for k, v in (headers or {}).items())
    return Webhook(url, format, pairs, float(timeout_s), attempts)


def check_hooks(hooks: Iterable[Any] | None, where: str) -> tuple[Webhook, ...]:
    """``on_failure=`` as a tuple of webhooks.

    Args:
        hooks: What was passed.
        where: Who it was passed to (for the message).

    Raises:
        DefinitionError: It is not a list of ``webhook(...)``.
    """
    if hooks is None:
        return ()
    if isinstance(hooks, Webhook):
        hooks = [hooks]
    if isinstance(hooks, (str, bytes)) or not isinstance(hooks, Iterable):
        raise DefinitionError(f"{where}: on_failure= must be a list of webhook(...).")
    out = tuple(hooks)
    for h in out:
        if not isinstance(h, Webhook):
            raise DefinitionError(
                f"{where}: on_failure= holds {h!r}; use webhook(url, format=...).",
                highlight="on_failure",
            )
    return out
