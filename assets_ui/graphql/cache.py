"""The response cache: a query asked again, with nothing committed to the catalog
since, costs a dictionary lookup instead of an execution.

Polling dashboards, CI jobs and the UI send the same few documents over and over;
executing ``assets { ... }`` over thousands of assets resolves every field of every
object each time. ``GraphQLEndpoint`` keeps the encoded response of each query
operation sent over HTTP, keyed by everything its answer depends on:

- the document, the operation name and the variables (as sent);
- the definitions (``LoadedLocation.generation``, which a reload moves);
- the caller (``Principal``: name, role and groups), so that an answer computed
  for one token is never served to another;

and serves it again while

- the catalog's commit marker (``Catalog.commit_marker``, read before executing) is
  unchanged: nothing was written by anyone, this server, a run or another process;
- and the answer has not expired: ``MAX_AGE_S`` after it was computed, or earlier
  when a resolver said so through ``Validity`` (statuses expire with the status cache,
  time-partitioned keys when a new window closes).

Mutations, subscriptions, websockets, batched or streamed operations and answers
with errors are never cached. A resolver whose answer depends on something other
than the definitions and the catalog (the clock, the environment, the run worker)
calls ``ctx(info).validity.expires_at(t)`` (or ``.uncacheable()``): the entry then
lasts until ``t`` (or is not kept). Concurrent identical requests wait for one
execution instead of each running it.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse

#: How long an answer is served without re-executing, at most (the status cache's
#: age limit: an asset's lag and OVERDUE status are never older than this either).
MAX_AGE_S = 15.0
MAX_ENTRIES = 512
MAX_BYTES = 128 * 1024 * 1024
#: Larger answers are not kept (one entry must not evict everything else).
MAX_ENTRY_BYTES = 16 * 1024 * 1024


@dataclass(slots=True)
class Validity:
    """How long the answer of one operation stays right without a catalog change.

    Attributes:
        until: Epoch seconds after which the answer must be computed again.
        cacheable: False when the answer must never be served again.
    """

    until: float = math.inf
    cacheable: bool = True

    def expires_at(self, at: float) -> None:
        """The answer depends on something that changes at ``at`` (epoch seconds)."""
        if at < self.until:
            self.until = at

    def uncacheable(self) -> None:
        """The answer depends on something the cache cannot watch."""
        self.cacheable = False


@dataclass(frozen=True, slots=True)
class Entry:
    """One kept response."""

    commits: Hashable
    expires_at: float
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes


@dataclass(eq=False)
class ResponseCache:
    """Encoded responses by request key, least recently used evicted first.

    Args:
        max_entries: Entries kept at most.
        max_bytes: Total size of the kept bodies at most.
        max_age_s: How long an entry is served at most.
    """

    max_entries: int = MAX_ENTRIES
    max_bytes: int = MAX_BYTES
    max_age_s: float = MAX_AGE_S
    hits: int = 0
    misses: int = 0
    _entries: OrderedDict[Hashable, Entry] = field(default_factory=OrderedDict)
    _bytes: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key: Hashable, commits: Hashable, now: float) -> Entry | None:
        """The entry of ``key`` if it is still valid for the catalog at ``commits``."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.commits != commits or now >= entry.expires_at:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key: Hashable, entry: Entry) -> None:
        """Keep ``entry`` (unless it is too large), evicting the oldest entries."""
        size = len(entry.body)
        if size > MAX_ENTRY_BYTES or size > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._entries[key] = entry
            self._bytes += size
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= len(evicted.body)

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    def expiry(self, validity: Validity, now: float) -> float:
        """When an answer computed at ``now`` with ``validity`` expires."""
        return min(now + self.max_age_s, validity.until)


def request_key(body: Any) -> tuple[str, str | None, str] | None:
    """(document, operation name, variables as canonical JSON) of a JSON request
    body holding one query operation; None for anything else (a mutation, a
    subscription, a batch, extensions, a document that does not parse)."""
    if not isinstance(body, dict):
        return None
    query = body.get("query")
    name = body.get("operationName")
    variables = body.get("variables")
    if not isinstance(query, str) or not (name is None or isinstance(name, str)):
        return None
    if variables is not None and not isinstance(variables, dict):
        return None
    if body.get("extensions") or set(body) - {"query", "operationName", "variables", "extensions"}:
        return None
    if operation_type(query, name) is not OperationType.QUERY:
        return None
    try:
        canonical = json.dumps(variables or {}, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):
        return None
    return query, name, canonical


#: Documents longer than this are not considered (parsing them is the limiter's job).
_MAX_DOCUMENT = 100_000


@lru_cache(maxsize=512)
def operation_type(document: str, operation_name: str | None) -> OperationType | None:
    """The type of the operation ``operation_name`` (or the only one) of
    ``document``; None when it does not parse or names no single operation."""
    if len(document) > _MAX_DOCUMENT:
        return None
    try:
        parsed = parse(document, no_location=True, max_tokens=5000)
    except (GraphQLError, RecursionError):
        return None
    operations = [d for d in parsed.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if len(operations) != 1:
        return None
    return operations[0].operation


def now() -> float:
    """The clock entries expire by (epoch seconds, like ``Validity.until``)."""
    return time.time()
