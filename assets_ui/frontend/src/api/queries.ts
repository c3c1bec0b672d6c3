// Every operation the UI sends (named, so server logs and the dev mock can tell them apart).

export const LINEAGE_QUERY = /* GraphQL */ `
  query GraphLineage($selection: String!) {
    lineage(selection: $selection) {
      nodes { key group kind status }
      edges { source target }
    }
  }
`;

/** The graph of the assets whose key contains `$search` (the filter box's free text). */
export const LINEAGE_SEARCH_QUERY = /* GraphQL */ `
  query GraphSearch($search: String!) {
    lineage(selection: "*", search: $search) {
      nodes { key group kind status }
      edges { source target }
    }
  }
`;

export const LIVE_FIELDS = `
  key
  status
  latestMaterialization { timestamp runId }
  partitionStats { total materialized failed missing }
`;

export const ASSETS_LIVE_QUERY = /* GraphQL */ `
  query GraphAssetsLive($selection: String, $search: String) {
    assets(selection: $selection, search: $search) {${LIVE_FIELDS}}
  }
`;

export const ASSET_SUMMARY_QUERY = /* GraphQL */ `
  query AssetSummary($key: String!) {
    asset(key: $key) {
      key group kind description status staleReasons owners codeVersion
      latestMaterialization { timestamp runId partition dataVersion }
      partitionStats { total materialized failed missing }
      partitionsDef { kind description total }
    }
  }
`;

export const MATERIALIZE_TARGETS_QUERY = /* GraphQL */ `
  query MaterializeTargets($selection: String!) {
    assets(selection: $selection) {
      key
      partitionsDef { kind description total keys }
      configSchema
    }
  }
`;

export const ASSET_PAGE_QUERY = /* GraphQL */ `
  query AssetPage($key: String!) {
    asset(key: $key) {
      key path group description owners tags kind codeVersion configSchema removed metadata
      status staleReasons
      freshness { maxLagS lagS overdue }
      partitionsDef { kind description total keys }
      partitionStats { total materialized failed missing ranges }
      latestMaterialization { id runId timestamp partition dataVersion codeVersion metadata }
      materializations(limit: 50) { id runId timestamp partition dataVersion codeVersion metadata }
      upstream { key group kind status }
      downstream { key group kind status }
      checks {
        name severity blocking description
        lastResult { status passed partition runId timestamp metadata error }
        history(limit: 20) { status passed partition runId timestamp metadata error }
      }
      columns { name type }
      columnLineage {
        column
        sources { asset column type subtype }
        indirect { asset column type subtype }
      }
    }
  }
`;

export const COLUMN_GRAPH_QUERY = /* GraphQL */ `
  query ColumnGraph($asset: String!, $column: String!, $upstreamDepth: Int, $downstreamDepth: Int) {
    columnGraph(asset: $asset, column: $column, upstreamDepth: $upstreamDepth, downstreamDepth: $downstreamDepth) {
      nodes { id asset column }
      edges { source target type subtype }
    }
  }
`;

export const RUNS_QUERY = /* GraphQL */ `
  query RunsList($status: RunStatus, $limit: Int, $cursor: String) {
    runs(status: $status, limit: $limit, cursor: $cursor) {
      runs { id status selection partitions launchedBy startedAt endedAt queuePosition }
      nextCursor
    }
  }
`;

export const RUN_FIELDS = `
  id status selection partitions tags launchedBy executor startedAt endedAt
  steps { asset partition status attempts durationS startedAt endedAt error { message traceback location } }
`;

export const RUN_QUERY = /* GraphQL */ `
  query RunPage($id: String!, $limit: Int) {
    run(id: $id) {${RUN_FIELDS}
      events(limit: $limit) { seq runId timestamp type asset partition level message }
    }
  }
`;

export const RUN_STATE_QUERY = /* GraphQL */ `
  query RunState($id: String!) {
    run(id: $id) {${RUN_FIELDS}}
  }
`;

export const RUN_EVENTS_PAGE_QUERY = /* GraphQL */ `
  query RunEventsPage($id: String!, $after: Int, $limit: Int) {
    run(id: $id) {
      id status
      events(after: $after, limit: $limit) { seq runId timestamp type asset partition level message }
    }
  }
`;

export const RUN_STATUS_QUERY = /* GraphQL */ `
  query RunStatusOnly($id: String!) {
    run(id: $id) { id status }
  }
`;

export const RUN_EVENTS_SUBSCRIPTION = /* GraphQL */ `
  subscription RunEvents($runId: String!) {
    runEvents(runId: $runId) { seq runId timestamp type asset partition level message }
  }
`;

export const MATERIALIZE_MUTATION = /* GraphQL */ `
  mutation Materialize($selection: String!, $partitions: [String!], $partitionRange: PartitionRangeInput, $config: JSON) {
    materialize(selection: $selection, partitions: $partitions, partitionRange: $partitionRange, config: $config) { id status selection }
  }
`;

export const CANCEL_RUN_MUTATION = /* GraphQL */ `
  mutation CancelRun($id: String!) {
    cancelRun(id: $id) { id status }
  }
`;

export const REEXECUTE_RUN_MUTATION = /* GraphQL */ `
  mutation ReexecuteRun($id: String!, $fromFailure: Boolean) {
    reexecuteRun(id: $id, fromFailure: $fromFailure) { id status }
  }
`;
