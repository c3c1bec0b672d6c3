"""OpenLineage RunEvents of Assetline runs (SPEC §11), built with openlineage-python's
generated classes and sent by its transports.

Names (the OpenLineage naming spec):
- the run is a job named after the code location's run, ``{namespace}`` /
  ``run:{selection}``, whose runId is the Assetline run id as a UUID;
- each step is a job named after its asset key (``sales/orders``), with a
  ``parent`` facet pointing at the run's job and runId; its runId is a UUID derived
  from the run id and the step;
- datasets are named after where the IO manager stores them: ``fs`` ->
  namespace ``file``, name the asset's folder (``/abs/home/storage/sales/orders``);
  ``duckdb`` -> namespace ``duckdb://{database file}``, name ``{schema}.{table}``;
  other IO managers -> namespace ``{namespace}``, name the asset key.

``namespace`` is ``[tool.assetline.openlineage] namespace`` (default ``assetline``).
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assets_core.errors import UsageError

if TYPE_CHECKING:
    from openlineage.client.event_v2 import RunEvent
    from openlineage.client.transport import Transport

    from assets_core.graph.asset_graph import AssetGraph
    from assets_core.io.base import IOManager
    from assets_core.keys import AssetKey
    from assets_core.lineage.columns import ColumnLineage

PRODUCER = "https://github.com/assetline/assetline"
DEFAULT_NAMESPACE = "assetline"
TRANSPORTS = ("http", "file")


@dataclass(frozen=True, slots=True)
class OpenLineageSettings:
    """``[tool.assetline.openlineage]``.

    Args:
        transport: ``http`` or ``file``.
        url: The HTTP endpoint's base URL (``http://marquez:5000``).
        endpoint: Its path (default ``api/v1/lineage``).
        api_key: Sent as ``Authorization: Bearer API_KEY``.
        timeout_s: The HTTP timeout of one attempt.
        path: The file transport's file: one JSON event a line, appended.
        namespace: The job namespace (and of datasets no storage names).
    """

    transport: str
    url: str | None = None
    endpoint: str = "api/v1/lineage"
    api_key: str | None = None
    timeout_s: float = 5.0
    path: str | None = None
    namespace: str = DEFAULT_NAMESPACE

    def make_transport(self) -> Transport:
        """The openlineage-python transport these settings describe."""
        if self.transport == "file":
            from openlineage.client.transport.file import FileConfig, FileTransport

            assert self.path is not None
            return FileTransport(FileConfig(log_file_path=self.path, append=True))
        from openlineage.client.transport.http import (
            ApiKeyTokenProvider,
            HttpConfig,
            HttpTransport,
            TokenProvider,
        )

        assert self.url is not None
        auth = ApiKeyTokenProvider({"api_key": self.api_key}) if self.api_key else None
        config = HttpConfig(
            url=self.url,
            endpoint=self.endpoint,
            timeout=self.timeout_s,
            auth=auth or TokenProvider({}),
            # Retries are ours, in the background, with backoff (never the run's time).
            retry={"total": 0, "connect": 0, "read": 0, "status": 0},
        )
        return HttpTransport(config)


def parse_openlineage(data: Any, path: Path) -> OpenLineageSettings | None:
    """``[tool.assetline.openlineage]`` of ``path`` (None when absent).

    Args:
        data: The table.
        path: The pyproject.toml it comes from (for messages).

    Raises:
        UsageError: A setting is missing or of the wrong type.
    """
    if data is None:
        return None
    where = f"[tool.assetline.openlineage] in {path}"
    if not isinstance(data, dict):
        raise UsageError(f"{where} must be a table.")
    known = {"transport", "url", "endpoint", "api_key", "timeout_s", "path", "namespace"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise UsageError(
            f"{where}: unknown setting(s) {', '.join(unknown)}; known: {sorted(known)}."
        )
    transport = data.get("transport")
    if transport not in TRANSPORTS:
        raise UsageError(
            f'{where}: transport must be "http" (with url) or "file" (with path); '
            f"got {transport!r}."
        )
    for name in ("url", "endpoint", "api_key", "path", "namespace"):
        if name in data and not isinstance(data[name], str):
            raise UsageError(f"{where}: {name} must be a string.")
    timeout = data.get("timeout_s", 5.0)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
        raise UsageError(f"{where}: timeout_s must be a number of seconds > 0.")
    if transport == "http" and not data.get("url"):
        raise UsageError(f'{where}: transport = "http" needs url = "http://host:port".')
    if transport == "file" and not data.get("path"):
        raise UsageError(f'{where}: transport = "file" needs path = "openlineage.jsonl".')
    file = data.get("path")
    if file is not None:
        file = str((path.parent / file).absolute())
    return OpenLineageSettings(
        transport=transport,
        url=data.get("url"),
        endpoint=data.get("endpoint", "api/v1/lineage"),
        api_key=data.get("api_key"),
        timeout_s=float(timeout),
        path=file,
        namespace=data.get("namespace", DEFAULT_NAMESPACE),
    )


def run_uuid(run_id: str) -> str:
    """The OpenLineage runId (a UUID) of an Assetline run id.

    Args:
        run_id: The Assetline run id (32 hex digits, or any string).
    """
    try:
        return str(uuid.UUID(hex=run_id))
    except ValueError:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"assetline:run:{run_id}"))


def step_uuid(run_id: str, step_id: str) -> str:
    """The runId of one step of a run: stable, so START and COMPLETE match.

    Args:
        run_id: The Assetline run id.
        step_id: The step (``asset`` or ``asset[partition]``).
    """
    return str(uuid.uuid5(uuid.UUID(run_uuid(run_id)), step_id))


def _now() -> str:
    return datetime.now(UTC).isoformat()


class EventBuilder:
    """Builds the RunEvents of one run.

    Args:
        run_id: The Assetline run id.
        selection: The run's selection (names the run's job).
        graph: The asset graph.
        io_managers: The run's IO managers by name.
        namespace: The job namespace.
    """

    def __init__(
        self,
        run_id: str,
        selection: str,
        graph: AssetGraph,
        io_managers: dict[str, IOManager],
        namespace: str,
    ) -> None:
        self.run_id = run_id
        self.selection = selection
        self.graph = graph
        self.io_managers = io_managers
        self.namespace = namespace
        self._columns: ColumnLineage | None = None

    @property
    def run_job_name(self) -> str:
        return f"run:{self.selection}"

    def run_event(self, state: str, error: str | None = None) -> RunEvent:
        """The run's own event: START, COMPLETE, FAIL or ABORT.

        Args:
            state: The OpenLineage event type.
            error: Why it failed (FAIL).
        """
        from openlineage.client.event_v2 import Job, Run, RunEvent, RunState

        facets = {"errorMessage": _error_facet(error, None)} if error else {}
        return RunEvent(
            eventType=RunState(state),
            eventTime=_now(),
            run=Run(runId=run_uuid(self.run_id), facets=facets),
            job=Job(namespace=self.namespace, name=self.run_job_name, facets=_job_type("JOB")),
            producer=PRODUCER,
        )

    def step_event(
        self,
        state: str,
        step_id: str,
        keys: tuple[AssetKey, ...],
        error: str | None = None,
        traceback: str | None = None,
        schemas: dict[str, list[dict[str, Any]]] | None = None,
    ) -> RunEvent:
        """The event of one step (a job named after its asset).

        Args:
            state: The OpenLineage event type.
            step_id: The step.
            keys: The assets it materializes (the first names the job).
            error: Why it failed (FAIL).
            traceback: The failure's traceback.
            schemas: Stored schemas by asset key (``[{"name", "type"}]``): the schema
                facet of outputs (else the declared or derived columns).
        """
        from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent
        from openlineage.client.event_v2 import RunState as EventType
        from openlineage.client.facet_v2 import parent_run, sql_job

        parent = parent_run.ParentRunFacet(
            run=parent_run.Run(runId=run_uuid(self.run_id)),
            job=parent_run.Job(namespace=self.namespace, name=self.run_job_name),
            root=parent_run.Root(
                run=parent_run.RootRun(runId=run_uuid(self.run_id)),
                job=parent_run.RootJob(namespace=self.namespace, name=self.run_job_name),
            ),
        )
        run_facets: dict[str, Any] = {"parent": parent}
        if error:
            run_facets["errorMessage"] = _error_facet(error, traceback)
        node = self.graph.get(keys[0])
        job_facets: dict[str, Any] = dict(_job_type("ASSET"))
        if node.definition.sql:
            job_facets["sql"] = sql_job.SQLJobFacet(query=node.definition.sql, dialect="duckdb")
        parents = sorted({p for k in keys for p in self.graph.parents(k)} - set(keys), key=str)
        inputs = [InputDataset(*self.dataset_name(p)) for p in parents]
        outputs = [
            OutputDataset(*self.dataset_name(k), facets=self._output_facets(k, schemas or {}))
            for k in keys
        ]
        return RunEvent(
            eventType=EventType(state),
            eventTime=_now(),
            run=Run(runId=step_uuid(self.run_id, step_id), facets=run_facets),
            job=Job(namespace=self.namespace, name=str(keys[0]), facets=job_facets),
            inputs=inputs,
            outputs=outputs,
            producer=PRODUCER,
        )

    def dataset_name(self, key: AssetKey) -> tuple[str, str]:
        """(namespace, name) of an asset's dataset, after its IO manager's storage."""
        from assets_core.io.duckdb_table import DuckDBIOManager, table_name
        from assets_core.io.parquet_fs import FilesystemIOManager

        io, _ = self._io(key)
        if isinstance(io, FilesystemIOManager):
            return "file", os.path.join(os.fspath(io.base_dir), *key.path)
        if isinstance(io, DuckDBIOManager) and str(io.path) != ":memory:":
            schema, table = table_name(key)
            return f"duckdb://{os.fspath(io.path)}", f"{schema}.{table}"
        return self.namespace, str(key)

    def _storage_uri(self, io: IOManager | None) -> str:
        """Where an IO manager stores: ``file:///home/storage``, ``duckdb:///w.duckdb``."""
        from assets_core.io.duckdb_table import DuckDBIOManager
        from assets_core.io.parquet_fs import FilesystemIOManager

        if isinstance(io, FilesystemIOManager):
            return Path(io.base_dir).as_uri()
        if isinstance(io, DuckDBIOManager) and str(io.path) != ":memory:":
            return f"duckdb://{os.fspath(io.path)}"
        return f"{self.namespace}:{type(io).__name__}"

    def _io(self, key: AssetKey) -> tuple[IOManager | None, str]:
        node = self.graph.get(key)
        name = node.spec.io_manager or self.graph.default_io_manager
        return self.io_managers.get(name), name

    def _output_facets(
        self, key: AssetKey, schemas: dict[str, list[dict[str, Any]]]
    ) -> dict[str, Any]:
        from openlineage.client.facet_v2 import column_lineage_dataset as cl
        from openlineage.client.facet_v2 import datasource_dataset, schema_dataset

        facets: dict[str, Any] = {}
        io, io_name = self._io(key)
        facets["dataSource"] = datasource_dataset.DatasourceDatasetFacet(
            name=io_name, uri=self._storage_uri(io)
        )
        lineage = self._lineage()
        stored = schemas.get(str(key))
        if stored:
            fields = [
                schema_dataset.SchemaDatasetFacetFields(name=str(f["name"]), type=str(f["type"]))
                for f in stored
            ]
        else:
            fields = [schema_dataset.SchemaDatasetFacetFields(name=c) for c in lineage.columns(key)]
        if fields:
            facets["schema"] = schema_dataset.SchemaDatasetFacet(fields=fields)
        origins = lineage.lineage(key)
        if origins:
            columns = {}
            for column, origin in origins.items():
                inputs = [
                    cl.InputField(
                        *self.dataset_name(self.graph.resolve(src.asset)),
                        field=src.column,
                        transformations=[cl.Transformation(type=src.type, subtype=src.subtype)],
                    )
                    for src in origin.sources
                ]
                columns[column] = cl.Fields(inputFields=inputs)
            facets["columnLineage"] = cl.ColumnLineageDatasetFacet(fields=columns)
        return facets

    def _lineage(self) -> ColumnLineage:
        if self._columns is None:
            from assets_core.lineage.columns import ColumnLineage

            self._columns = ColumnLineage(self.graph)
        return self._columns


def _job_type(job_type: str) -> dict[str, Any]:
    from openlineage.client.facet_v2 import job_type_job

    return {
        "jobType": job_type_job.JobTypeJobFacet(
            processingType="BATCH", integration="ASSETLINE", jobType=job_type
        )
    }


def _error_facet(message: str, traceback: str | None) -> Any:
    from openlineage.client.facet_v2 import error_message_run

    return error_message_run.ErrorMessageRunFacet(
        message=message, programmingLanguage="PYTHON", stackTrace=traceback or None
    )
