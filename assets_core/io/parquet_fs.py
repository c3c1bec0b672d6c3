"""``fs``: the default IO manager. Tables as Parquet, everything else pickled.

Layout: ``<base_dir>/<key path>/[<partition>/]data.parquet`` (or ``data.pickle``); a
multi-partition key ``2024-01-01|eu`` nests one folder per dimension
(``2024-01-01/eu``). Every write goes to a hidden temp file beside the target and is
``os.replace``d over it, so readers see the old value or the new one, never half of
one, and a failed write leaves the previous value in place.

The hot path is syscall-lean on purpose (the engine's budget is 0.5 ms per asset): no
fsync unless ``durable=True``, one listing of the value's own folder to remove the temp
files of killed writers (``temp_files.py``), ``mkdir`` only when opening the
temp file fails because its folder does not exist yet, and no new inode per pickle
write once a folder has one: the file a small pickle replaced is kept as the folder's
hidden spare (``.data.spare``) and overwritten by the next write (creating a file costs
ext4 ~10x renaming one; truncating one to zero makes it write back at close, so the
spare is overwritten from offset 0 and cut to length instead). A reader that opened
that file before it was replaced may still be reading it: readers hold a shared
``flock`` while they read a pickle, and a writer reuses a spare only if it gets the
exclusive lock at once (else it creates a new file). Parquet files are never reused.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import pickle
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from assets_core.errors import PartitionKeyError
from assets_core.io.base import (
    InputContext,
    IOManager,
    OutputContext,
    combine_values,
    concat_tables,
    missing_partitions_error,
    missing_value_error,
    split_value,
    table_kind,
    unreadable_value_error,
)
from assets_core.io.temp_files import remove_leftover_temp_files
from assets_core.keys import AssetKey, component_problem, shown

ParquetCompression = Literal["snappy", "gzip", "brotli", "lz4", "zstd", "none"]
PARQUET = "data.parquet"
PICKLE = "data.pickle"
SPARE = ".data.spare"
#: Replaced files up to this size are kept as the folder's spare; larger ones are
#: unlinked (a spare must not double the disk use of big values).
SPARE_MAX_BYTES = 64 * 1024
_READ_ATTEMPTS = 100
_NOT_PICKLED = object()
_KIND_KEY = b"assetline.kind"
_counter = itertools.count()
_PROTOCOL = pickle.HIGHEST_PROTOCOL


@lru_cache(maxsize=65536)
def partition_path_parts(partition_key: str) -> tuple[str, ...]:
    """The folder names of a partition key: one per dimension of ``a|b``.

    Raises:
        PartitionKeyError: The key could escape the storage root or is not a valid
            folder name (empty, ``.``, ``..``, a path separator, NUL or control
            characters, more than 255 bytes).
    """
    parts = tuple(partition_key.split("|"))
    for part in parts:
        problem = component_problem(part)
        if problem:
            raise PartitionKeyError(
                f"Partition key {shown(partition_key)} cannot be stored: {shown(part)} "
                f"{problem}. "
                "Partition keys become folder names under the storage root; use letters, "
                "digits, '-', '_', ':', '.' (dimensions of a multi-partition key are "
                "separated by '|')."
            )
    return parts


try:
    import fcntl
except ImportError:  # Windows: no renameat2 either, so no spare is ever reused
    fcntl = None  # type: ignore[assignment]

_pid = os.getpid()  # getpid is a syscall; refreshed in forked children


def _refresh_pid() -> None:
    global _pid
    _pid = os.getpid()


if hasattr(os, "register_at_fork"):  # not on Windows
    os.register_at_fork(after_in_child=_refresh_pid)


_SEP = os.sep  # paths here are joined by hand: os.path.join costs more than a write


def _temp_beside(folder: str, name: str) -> str:
    """A hidden temp path beside ``folder/name``, unique across processes and threads."""
    return f"{folder}{_SEP}.{name}.{_pid}-{next(_counter)}.tmp"


_exchange: Any = None  # renameat2 from libc once looked up; False when unavailable


def _lookup_exchange() -> Any:
    global _exchange
    if not sys.platform.startswith("linux"):
        _exchange = False
        return _exchange
    try:
        import ctypes

        func = ctypes.CDLL(None, use_errno=True).renameat2
        func.argtypes = [
            ctypes.c_int,
            ctypes.c_char_p,
            ctypes.c_int,
            ctypes.c_char_p,
            ctypes.c_uint,
        ]
        func.restype = ctypes.c_int
        _exchange = (func, ctypes.get_errno)
    except Exception:  # not Linux/glibc: AttributeError, OSError, TypeError on Windows
        _exchange = False
    return _exchange


def _swap_in(tmp: str, target: str) -> bool:
    """Put ``tmp`` in place of ``target`` atomically (readers see old or new); True if
    ``tmp`` now holds the old value, False if it is gone.

    On Linux an existing target is swapped with ``renameat2(RENAME_EXCHANGE)``: ext4
    makes a plain rename over an existing file start writing the new file back to disk
    at once (``auto_da_alloc``), which costs ~4x the whole store of a small value. Falls
    back to ``os.replace`` where exchange is unsupported. Either way nothing is fsynced:
    after a power loss the newest value may be lost (``durable=True`` when that matters).
    """
    exchange = _exchange if _exchange is not None else _lookup_exchange()
    if exchange:
        func, get_errno = exchange
        if func(-100, os.fsencode(tmp), -100, os.fsencode(target), 2) == 0:  # AT_FDCWD
            return True
        if get_errno() in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EPERM):
            _disable_exchange()
    os.replace(tmp, target)
    return False


def _claim_spare(folder: str, tmp: str) -> int | None:
    """Take the folder's spare file as ``tmp``, open and exclusively locked: its
    descriptor, or None (no spare; or a reader still holds it, then it is unlinked:
    the reader keeps its copy). The rename is atomic, so of two writers only one gets
    it; the other creates a new file."""
    if fcntl is None:
        return None
    try:
        os.rename(folder + _SEP + SPARE, tmp)
    except OSError:  # no spare (or no folder yet)
        return None
    fd = os.open(tmp, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # a reader that opened it as the value before is reading it
        os.close(fd)
        os.unlink(tmp)
        return None
    return fd


def _keep_as_spare(folder: str, old: str) -> None:
    """Keep the replaced pickle ``old`` as the folder's spare if it is small, else
    unlink it. A spare left by a concurrent writer is replaced (and so unlinked)."""
    try:
        if os.stat(old).st_size <= SPARE_MAX_BYTES:
            os.rename(old, folder + _SEP + SPARE)
            return
    except OSError:
        pass
    _unlink_quietly(old)


def _disable_exchange() -> None:
    global _exchange
    _exchange = False


def _unlink_quietly(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


class FilesystemIOManager(IOManager):
    """Stores DataFrames and Arrow tables as Parquet, other values as pickles.

    Args:
        base_dir: The storage root (``$ASSETLINE_HOME/storage`` by default). Created on
            first write.
        compression: Parquet compression codec (pyarrow's default: snappy).
        durable: fsync each file and its folder before the rename, so a value survives
            a power loss (slower; atomicity does not need it).

    Example::

        Definitions(assets=[...], io_managers={"fs": FilesystemIOManager("/data/assets")})
    """

    def __init__(
        self,
        base_dir: str | Path,
        *,
        compression: ParquetCompression | None = None,
        durable: bool = False,
    ) -> None:
        self.base_dir = Path(base_dir).absolute()
        self.compression = compression
        self.durable = durable
        self._root = os.fspath(self.base_dir)
        self._last: tuple[AssetKey, str | None, str] | None = None

    def __repr__(self) -> str:
        return f"FilesystemIOManager({self._root!r})"

    def folder(self, asset_key: AssetKey | str, partition_key: str | None = None) -> str:
        """The folder holding the value of ``asset_key`` (and ``partition_key``)."""
        key = asset_key if isinstance(asset_key, AssetKey) else AssetKey.parse(asset_key)
        if partition_key is None:
            return os.path.join(self._root, *key.path)
        return os.path.join(self._root, *key.path, *partition_path_parts(partition_key))

    # -- store -----------------------------------------------------------------------

    def store(self, context: OutputContext, value: Any) -> None:
        """Write ``value`` atomically as Parquet (tables) or a pickle (anything else)."""
        if context.is_range:
            for key, part in split_value(context, value).items():
                self._store_one(context.asset_key, key, part)
        else:
            self._store_one(context.asset_key, context.partition_key, value)

    def _store_one(self, asset_key: AssetKey, partition_key: str | None, value: Any) -> None:
        folder = self.folder(asset_key, partition_key)
        kind = table_kind(value)
        if kind is None:
            name, stale = PICKLE, PARQUET
            self._write_atomic(
                folder, name, lambda tmp, fd: self._write_pickle(tmp, value, fd), recycle=True
            )
        else:
            table = _table_for_parquet(value, kind)
            name, stale = PARQUET, PICKLE
            self._write_atomic(folder, name, lambda tmp, _fd: self._write_parquet(tmp, table))
        _unlink_quietly(folder + _SEP + stale)
        remove_leftover_temp_files(folder)  # of a writer killed mid-write
        self._last = (asset_key, partition_key, folder + _SEP + name)

    def _write_atomic(self, folder: str, name: str, write: Any, recycle: bool = False) -> None:
        """``write(tmp, fd)`` the value to a temp file (``fd``: the folder's spare, open
        and locked, to be overwritten and closed; None: create ``tmp``), then swap it in
        as ``folder/name``; with ``recycle``, keep the replaced file as the spare."""
        target = folder + _SEP + name
        tmp = _temp_beside(folder, name)
        recycle = recycle and not self.durable
        try:
            try:
                write(tmp, _claim_spare(folder, tmp) if recycle else None)
            except FileNotFoundError:
                # First write into this folder (or it was removed): create it, try again.
                _unlink_quietly(tmp)
                os.makedirs(folder, exist_ok=True)
                write(tmp, None)
            if self.durable:
                os.replace(tmp, target)
            elif _swap_in(tmp, target):
                if recycle:
                    _keep_as_spare(folder, tmp)
                else:
                    _unlink_quietly(tmp)  # now the old value
        except BaseException:
            _unlink_quietly(tmp)
            raise
        if self.durable:
            fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

    def _write_pickle(self, tmp: str, value: Any, fd: int | None) -> None:
        # Closing the spare's descriptor releases its lock once the value is whole.
        with open(tmp, "xb") if fd is None else open(fd, "r+b") as f:
            pickle.dump(value, f, protocol=_PROTOCOL)
            if fd is not None:
                f.truncate()  # to the end of the new value
            if self.durable:
                f.flush()
                os.fsync(f.fileno())

    def _write_parquet(self, tmp: str, table: Any) -> None:
        import pyarrow.parquet as pq

        if self.compression is None:
            pq.write_table(table, tmp)
        else:
            pq.write_table(table, tmp, compression=self.compression)
        if self.durable:
            fd = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

    # -- load ------------------------------------------------------------------------

    def load(self, context: InputContext) -> Any:
        """Read the stored value; a range is concatenated (tables) or a dict.

        Raises:
            MissingValueError: Nothing is stored for the asset (partition).
        """
        if context.is_range:
            return self._load_range(context)
        found = self._read(context.asset_key, context.partition_key, decode=True)
        if found is None:
            where = self.folder(context.asset_key, context.partition_key)
            raise missing_value_error(context, where)
        return found[1]

    def _read(
        self, asset_key: AssetKey, partition_key: str | None, *, decode: bool
    ) -> tuple[str, Any] | None:
        """``("pickle", value)`` or ``("parquet", value | arrow table)``, None if absent.

        With ``decode=False`` a Parquet value is returned as the raw Arrow table."""
        folder = self.folder(asset_key, partition_key)
        parquet_path = folder + _SEP + PARQUET
        pickle_path = folder + _SEP + PICKLE
        try:
            found = self._read_pickle(pickle_path, parquet_path)
        except (EOFError, pickle.UnpicklingError) as e:
            raise unreadable_value_error(asset_key, partition_key, pickle_path, e) from e
        if found is not _NOT_PICKLED:
            return "pickle", found
        try:
            table = _read_parquet(parquet_path)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as e:  # ArrowInvalid is a ValueError, ArrowIOError an OSError
            raise unreadable_value_error(asset_key, partition_key, parquet_path, e) from e
        return "parquet", (_decode_table(table) if decode else table)

    def _read_pickle(self, path: str, parquet_path: str) -> Any:
        """The value pickled at ``path``, or ``_NOT_PICKLED`` (none, or an older one
        than the Parquet file beside it)."""
        for _ in range(_READ_ATTEMPTS):
            try:
                fd = os.open(path, os.O_RDONLY)
            except FileNotFoundError:
                return _NOT_PICKLED
            try:
                if fcntl is not None:
                    # Held while reading: a writer may not reuse this file as its spare.
                    fcntl.flock(fd, fcntl.LOCK_SH)
                    stat = os.fstat(fd)
                    try:
                        current = os.stat(path).st_ino
                    except FileNotFoundError:
                        current = -1
                    if current != stat.st_ino:
                        continue  # replaced before the lock (its file may be rewritten)
                else:
                    stat = os.fstat(fd)
                # Both exist only if a writer died between rename and unlink, or two
                # processes raced: the newer file wins.
                try:
                    other = os.stat(parquet_path).st_mtime_ns
                except FileNotFoundError:
                    other = -1
                if other > stat.st_mtime_ns:
                    return _NOT_PICKLED
                return _unpickle(fd, stat.st_size)
            finally:
                os.close(fd)
        raise OSError(f"{path} was replaced {_READ_ATTEMPTS} times while being read; try again")

    def _load_range(self, context: InputContext) -> Any:
        keys = context.partition_keys or ()
        found: dict[str, tuple[str, Any]] = {}
        missing: list[str] = []
        for key in keys:
            item = self._read(context.asset_key, key, decode=False)
            if item is None:
                missing.append(key)
            else:
                found[key] = item
        if missing:
            raise missing_partitions_error(context, missing, self.folder(context.asset_key))
        tables = [v for fmt, v in found.values() if fmt == "parquet"]
        if tables and len(tables) == len(found):
            kinds = {_stored_kind(t) for t in tables}
            if len(kinds) == 1:
                # One Arrow concatenation, then a single conversion to pandas.
                return _decode_table(concat_tables(tables))
        return combine_values(
            {k: (_decode_table(v) if fmt == "parquet" else v) for k, (fmt, v) in found.items()}
        )

    # -- catalog helpers -------------------------------------------------------------

    def location(self, context: OutputContext) -> str | None:
        """The path of the stored file (the asset's folder for a range)."""
        if context.is_range:
            return self.folder(context.asset_key)
        last = self._last
        if last is not None and last[0] == context.asset_key and last[1] == context.partition_key:
            return last[2]
        folder = self.folder(context.asset_key, context.partition_key)
        for name in (PICKLE, PARQUET):
            path = os.path.join(folder, name)
            if os.path.exists(path):
                return path
        return None

    def exists(self, context: OutputContext | InputContext) -> bool:
        """Whether every addressed partition (or the unpartitioned value) is stored."""
        keys = context.partition_keys if context.is_range else (context.partition_key,)
        for key in keys or ():
            folder = self.folder(context.asset_key, key)
            if not any(os.path.exists(os.path.join(folder, n)) for n in (PICKLE, PARQUET)):
                return False
        return True

    def delete(self, context: OutputContext | InputContext) -> None:
        """Remove the stored file(s) of the addressed value or partitions."""
        keys = context.partition_keys if context.is_range else (context.partition_key,)
        for key in keys or ():
            folder = self.folder(context.asset_key, key)
            for name in (PICKLE, PARQUET, SPARE):
                _unlink_quietly(os.path.join(folder, name))
        self._last = None


def _table_for_parquet(value: Any, kind: str) -> Any:
    import pyarrow as pa

    if kind == "pandas":
        # preserve_index=None: a RangeIndex is kept as metadata only, any other index as
        # columns — exactly what raw pyarrow does, so no extra work.
        return pa.Table.from_pandas(value)
    metadata = dict(value.schema.metadata or {})
    metadata[_KIND_KEY] = b"arrow"
    return value.replace_schema_metadata(metadata)


def _unpickle(fd: int, size: int) -> Any:
    """The value pickled in the open file ``fd`` of ``size`` bytes. A small one is read
    in one call (a buffered file object costs more than the read); a large one is
    streamed."""
    if size > SPARE_MAX_BYTES:
        with open(fd, "rb", closefd=False) as f:
            return pickle.load(f)
    chunks = []
    while data := os.read(fd, size + 1):
        chunks.append(data)
    return pickle.loads(b"".join(chunks))


def _read_parquet(path: str) -> Any:
    import pyarrow.parquet as pq

    return pq.read_table(path)


def _stored_kind(table: Any) -> str:
    metadata = table.schema.metadata or {}
    if metadata.get(_KIND_KEY) == b"arrow" or b"pandas" not in metadata:
        return "arrow"
    return "pandas"


def _decode_table(table: Any) -> Any:
    """An Arrow table read back: a DataFrame if one was stored, else the Arrow table
    (without our marker)."""
    if _stored_kind(table) == "pandas":
        return table.to_pandas()
    metadata = dict(table.schema.metadata or {})
    if metadata.pop(_KIND_KEY, None) is not None:
        table = table.replace_schema_metadata(metadata or None)
    return table
