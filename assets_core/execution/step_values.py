"""A step's values: its inputs loaded through the IO managers (with the partitions the
plan mapped), its outputs split and stored, and the materializations that record them
(data versions, metadata, the stored file's size and time)."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from assets_core.catalog.records import NewMaterialization
from assets_core.definitions.results import MaterializeResult, Output
from assets_core.errors import ExecutionError, UserCodeError
from assets_core.execution.context import AssetExecutionContext, StepLog
from assets_core.execution.plan import Step
from assets_core.execution.versions import content_version, default_data_version
from assets_core.io.adapters import coerce_table
from assets_core.io.base import InputContext, OutputContext

if TYPE_CHECKING:
    from assets_core.graph.asset_graph import AssetNode
    from assets_core.keys import AssetKey


from assets_core.execution.user_code import user_call

if TYPE_CHECKING:
    from assets_core.execution.step import RunState


def split_outputs(step: Step, result: Any) -> dict[AssetKey, Any]:
    d = step.definition
    if not d.is_multi:
        return {step.key: result}
    names = d.output_names
    if isinstance(result, dict):
        missing = [n for n in names if n not in result]
        if missing:
            raise UserCodeError(f"multi_asset {d.name} returned no value for outputs {missing}.")
        return {spec.key: result[n] for n, spec in zip(names, d.specs, strict=True)}
    if isinstance(result, tuple) and len(result) == len(names):
        return {spec.key: v for spec, v in zip(d.specs, result, strict=True)}
    raise UserCodeError(
        f"multi_asset {d.name} must return a tuple of {len(names)} values (in outs order: "
        f"{', '.join(names)}) or a dict keyed by output name; got {type(result).__name__}."
    )


def load_inputs(
    state: RunState, step: Step, node: AssetNode, log: StepLog
) -> tuple[dict[str, Any], list[int], list[str | None]]:
    """Values by parameter (or SQL table name), the consumed materialization ids and
    the consumed data versions."""
    graph = state.graph
    values: dict[str, Any] = {}
    consumed: list[int] = []
    versions: list[str | None] = []
    wanted = {k: p for p, k in node.input_keys.items()}
    wanted.update({k: t for t, k in node.sql_tables.items()})
    for parent_key in node.parents:
        parent = graph.get(parent_key)
        parts = step.upstream_partitions(parent_key)
        pname = str(parent_key)
        if (
            parts is not None
            and node.spec.partitions is None
            and node.mappings.get(parent_key) is None
        ):
            # An unpartitioned asset reads the partitions that exist, concatenated.
            parts = tuple(p for p in parts if (pname, p) in state.versions)
            if not parts:
                raise ExecutionError(
                    f"Asset {node.key} reads every partition of {pname}, but none is "
                    f"materialized. Materialize some first, e.g. `assetline materialize "
                    f"--select {pname} --from A --to B`."
                )
        for p in parts if parts is not None else (None,):
            seen = state.versions.get((pname, p))
            if seen is not None:
                consumed.append(seen[0])
                versions.append(seen[1])
        name = wanted.get(parent_key)
        if name is None:
            continue  # ordering-only dependency
        ctx = InputContext(
            asset_key=parent_key,
            partition_key=parts[0] if parts is not None and len(parts) == 1 else None,
            partition_keys=tuple(parts) if parts is not None and len(parts) != 1 else None,
            metadata=parent.spec.metadata,
            resources=state.resources,
            log=log,  # type: ignore[arg-type]
            run_id=state.run_id,
            consumer_key=node.key,
        )
        io = state.io_for(parent)
        value = user_call(step, f"Loading input {pname}", io.load, ctx)
        annotations = getattr(node.definition.fn, "__annotations__", None)
        if annotations and name in annotations:
            value = coerce_table(value, annotations[name])
        values[name] = value
    return values, consumed, versions


def store_outputs(
    state: RunState,
    step: Step,
    key: AssetKey,
    raw: Any,
    context: AssetExecutionContext,
    log: StepLog,
    consumed: list[int],
    input_versions: list[str | None],
) -> list[NewMaterialization]:
    from assets_core.execution.metadata import value_metadata

    node = state.graph.get(key)
    user_meta: dict[str, Any] = {}
    data_version = None
    value = raw
    if isinstance(raw, (MaterializeResult, Output)):
        value, user_meta, data_version = raw.value, dict(raw.metadata), raw.data_version
    ctx = OutputContext(
        asset_key=key,
        partition_key=step.partition_key,
        partition_keys=step.partition_keys if len(step.partition_keys) > 1 else None,
        metadata=node.spec.metadata,
        resources=state.resources,
        log=log,  # type: ignore[arg-type]
        run_id=state.run_id,
    )
    io = state.io_for(node)
    user_call(step, f"Storing {key} with IO manager", io.store, ctx, value)
    metadata = value_metadata(value)
    metadata.update(context.added_metadata)
    metadata.update(user_meta)
    metadata = _redact_metadata(metadata, state.redact)
    location = io.location(ctx)
    size, mtime_ns = stored_file_stat(location)
    now = time.time()
    out = []
    # Without inputs, the version comes from the value's content: unchanged data keeps
    # its version and leaves downstream fresh.
    content = content_version(value) if data_version is None and not input_versions else None
    # A single-run backfill stores a range at once: one materialization per partition.
    for part in step.partition_keys or (None,):
        version = data_version or default_data_version(
            node.spec.code_version, input_versions, f"{state.run_id}:{key}:{part}", content
        )
        state.writer.emit(
            "MATERIALIZATION",
            f"Materialized {key}",
            str(key),
            part,
            data={"data_version": version, "row_count": metadata.get("row_count")},
        )
        out.append(
            NewMaterialization(
                asset_key=str(key),
                partition=part,
                run_id=state.run_id,
                timestamp=now,
                code_version=node.spec.code_version,
                data_version=version,
                metadata=metadata,
                location=location,
                upstream_ids=tuple(consumed),
                stored_size=size,
                stored_mtime_ns=mtime_ns,
            )
        )
    return out


def stored_file_stat(location: str | None) -> tuple[int | None, int | None]:
    """The size and ``st_mtime_ns`` of the file a value was stored in (one ``stat``),
    recorded with its materialization so that ``status`` notices a value deleted or
    changed outside Assetline; ``(None, None)`` when the location is not a file (a
    folder of partitions, a database table)."""
    if not location or not os.path.isabs(location):
        return None, None
    try:
        st = os.stat(location)
    except OSError:
        return None, None
    if not stat.S_ISREG(st.st_mode):
        return None, None
    return st.st_size, st.st_mtime_ns


def _redact_metadata(value: Any, redact: Callable[[str], str]) -> Any:
    """Secrets replaced by ``***`` anywhere in (nested) metadata."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _redact_metadata(v, redact) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redact_metadata(v, redact) for v in value]
    return value
