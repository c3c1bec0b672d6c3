"""Data versions: the user's, or a hash of the code version and the inputs' data
versions. An asset without inputs gets a version from its value's content (a
DataFrame's or Arrow table's data, any other value's pickle), so re-materializing a
source whose content did not change keeps its version and leaves downstream fresh;
a value that cannot be hashed cheaply gets a fresh version per materialization."""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Iterable
from typing import Any

#: Values bigger than this (pickled) are not hashed: a fresh version instead.
MAX_PICKLE_BYTES = 64 * 1024 * 1024


def default_data_version(
    code_version: str | None,
    input_versions: Iterable[str | None],
    salt: str,
    content: str | None = None,
) -> str:
    """The version of a materialization: code version + inputs' versions, or, for an
    asset without inputs, code version + ``content`` (else ``salt``: always new)."""
    inputs = sorted(v or "" for v in input_versions)
    h = hashlib.sha256()
    h.update((code_version or "").encode())
    for v in inputs:
        h.update(b"\0" + v.encode())
    if not inputs:
        h.update(b"\2" + content.encode() if content is not None else b"\1" + salt.encode())
    return h.hexdigest()[:16]


def content_version(value: Any) -> str | None:
    """A digest of ``value``'s content, or None when it cannot be computed cheaply."""
    try:
        digest = hashlib.blake2b(digest_size=16)
        if _is_frame(value):
            import pandas as pd

            digest.update(repr([(str(c), str(t)) for c, t in value.dtypes.items()]).encode())
            hashed = pd.util.hash_pandas_object(value, index=False)
            digest.update(hashed.to_numpy().tobytes())
        elif _is_arrow_table(value):
            digest.update(str(value.schema).encode())
            for column in value.columns:
                for chunk in column.chunks:
                    digest.update(repr((chunk.offset, len(chunk), chunk.null_count)).encode())
                    for buffer in chunk.buffers():
                        if buffer is not None:
                            digest.update(memoryview(buffer))
        else:
            data = pickle.dumps(value, protocol=5)
            if len(data) > MAX_PICKLE_BYTES:
                return None
            digest.update(data)
    except Exception:  # unhashable content: the version is fresh each time
        return None
    return digest.hexdigest()


def _is_frame(value: Any) -> bool:
    return type(value).__name__ == "DataFrame" and type(value).__module__.startswith("pandas")


def _is_arrow_table(value: Any) -> bool:
    return type(value).__name__ == "Table" and type(value).__module__.startswith("pyarrow")
