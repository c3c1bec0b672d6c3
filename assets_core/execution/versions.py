"""Data versions: the user's, or a hash of the code version and the inputs' data
versions. An asset without inputs gets a fresh version per materialization, since
nothing upstream can tell whether its data changed."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable


def default_data_version(
    code_version: str | None, input_versions: Iterable[str | None], salt: str
) -> str:
    inputs = sorted(v or "" for v in input_versions)
    h = hashlib.sha256()
    h.update((code_version or "").encode())
    for v in inputs:
        h.update(b"\0" + v.encode())
    if not inputs:
        h.update(b"\1" + salt.encode())
    return h.hexdigest()[:16]
