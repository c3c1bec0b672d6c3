#!/usr/bin/env node
// Development mock of the Assetline server, for working on the UI without Python:
// serves ../../static (SPA fallback to index.html), answers the UI's GraphQL
// operations by operationName with synthetic data, and streams runEvents over a
// minimal graphql-transport-ws websocket. Not used by the real app or the tests.
//
//   node dev/mock-server.mjs [--port 3000] [--assets 24] [--groups 6] [--token secret]
//
// With --assets <= 30 a small hand-made example project is served; above that a
// generated layered graph (e.g. --assets 2000 --groups 10 for the ui_2000 budget).
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const PORT = Number(args.port ?? 3000);
const N = Number(args.assets ?? 24);
const G = Number(args.groups ?? 6);
const TOKEN = args.token ?? process.env.MOCK_TOKEN ?? '';
const STATIC = normalize(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'static'));

// ---------------------------------------------------------------- data
const now = () => new Date().toISOString();
const ago = (s) => new Date(Date.now() - s * 1000).toISOString();
let rnd = 42;
const rand = () => ((rnd = (rnd * 1103515245 + 12345) % 2147483648) / 2147483648);
const days = (start, count) => Array.from({ length: count }, (_, i) => new Date(Date.parse(start) + i * 86400000).toISOString().slice(0, 10));

const assets = new Map();
const edges = [];
function addAsset(key, group, kind, extra = {}) {
  assets.set(key, {
    key, group, kind, description: extra.description ?? null, owners: extra.owners ?? [], tags: extra.tags ?? {},
    codeVersion: extra.codeVersion ?? 'v1', status: extra.status ?? 'MISSING', staleReasons: extra.staleReasons ?? [],
    partitions: extra.partitions ?? null, configSchema: extra.configSchema ?? null, materializations: [], partitionState: new Map(),
    columns: extra.columns ?? [], columnLineage: extra.columnLineage ?? [], checks: extra.checks ?? [],
  });
}
function addMat(a, secondsAgo, rows, partition = null, runId = 'seed-run-0001') {
  a.materializations.unshift({ id: `m${a.key}-${a.materializations.length}`, assetKey: a.key, runId, timestamp: ago(secondsAgo), partition, dataVersion: Math.abs(hash(a.key + secondsAgo)).toString(16).padStart(12, 'a'), codeVersion: a.codeVersion, metadata: { row_count: rows } });
  if (partition) a.partitionState.set(partition, 'materialized');
}
function hash(s) { let h = 0; for (const c of s) h = (Math.imul(h, 31) + c.charCodeAt(0)) | 0; return h; }

if (N <= 30) {
  const daily = days('2024-01-01', 120);
  addAsset('raw/orders', 'raw', 'python', { description: 'Orders loaded from the shop database.', owners: ['team:ingest'], tags: { tier: 'bronze' }, status: 'FRESH', columns: [{ name: 'id', type: 'int' }, { name: 'customer_id', type: 'int' }, { name: 'amount', type: 'float' }] });
  addAsset('raw/customers', 'raw', 'python', { owners: ['team:ingest'], status: 'FRESH' });
  addAsset('raw/payments', 'raw', 'python', { status: 'FAILED', staleReasons: ['failed'] });
  addAsset('staging/orders_clean', 'staging', 'sql', { description: 'Orders without test data and refunds.', status: 'STALE', staleReasons: ['upstream_changed:raw/orders', 'code_version_changed'], columns: [{ name: 'order_id', type: 'int' }, { name: 'amount', type: 'float' }], columnLineage: [{ column: 'order_id', sources: [{ asset: 'raw/orders', column: 'id', type: 'DIRECT', subtype: 'IDENTITY' }], indirect: [] }, { column: 'amount', sources: [{ asset: 'raw/orders', column: 'amount', type: 'DIRECT', subtype: 'IDENTITY' }], indirect: [{ asset: 'raw/orders', column: 'amount', type: 'INDIRECT', subtype: 'FILTER' }] }] });
  addAsset('staging/customers_clean', 'staging', 'sql', { status: 'FRESH' });
  addAsset('sales/daily_orders', 'sales', 'python', { description: 'Orders per day.', owners: ['team:analytics'], tags: { tier: 'gold' }, status: 'STALE', staleReasons: ['upstream_changed:staging/orders_clean'], partitions: { kind: 'daily', description: 'Daily from 2024-01-01', keys: daily },
    checks: [{ name: 'no_negative_amounts', severity: 'error', blocking: true, description: 'amount >= 0' }, { name: 'row_count', severity: 'warn', blocking: false, description: 'at least 1 row' }] });
  addAsset('sales/revenue', 'sales', 'python', { status: 'CHECK_FAILED', staleReasons: ['check_failed:not_null'], configSchema: { fields: [{ name: 'currency', type: 'str', default: 'EUR' }, { name: 'include_tax', type: 'bool', default: false }] }, checks: [{ name: 'not_null', severity: 'error', blocking: false }] });
  addAsset('sales/customer_ltv', 'sales', 'python', { status: 'MISSING' });
  addAsset('finance/report', 'finance', 'python', { description: 'Monthly finance report.', owners: ['team:finance', 'alice@example.com'], status: 'OVERDUE', staleReasons: ['overdue'] });
  addAsset('finance/forecast', 'finance', 'python', { status: 'MISSING' });
  addAsset('ml/churn_features', 'ml', 'python', { status: 'FRESH' });
  addAsset('ml/churn_model', 'ml', 'python', { status: 'STALE', staleReasons: ['upstream_changed:ml/churn_features'] });
  for (const [s, t] of [['raw/orders', 'staging/orders_clean'], ['raw/customers', 'staging/customers_clean'], ['staging/orders_clean', 'sales/daily_orders'], ['raw/payments', 'sales/revenue'], ['sales/daily_orders', 'sales/revenue'], ['staging/customers_clean', 'sales/customer_ltv'], ['staging/orders_clean', 'sales/customer_ltv'], ['sales/revenue', 'finance/report'], ['sales/revenue', 'finance/forecast'], ['sales/customer_ltv', 'ml/churn_features'], ['ml/churn_features', 'ml/churn_model']]) edges.push({ source: s, target: t });
  for (const a of assets.values()) if (a.status !== 'MISSING') for (let i = 12; i > 0; i--) addMat(a, i * 3600 * 5 + 400, Math.round(1000 + i * 37 + rand() * 300), a.partitions ? a.partitions.keys[60 - i] : null);
  const d = assets.get('sales/daily_orders');
  daily.slice(0, 70).forEach((k) => d.partitionState.set(k, 'materialized'));
  daily.slice(70, 73).forEach((k) => d.partitionState.set(k, 'failed'));
  daily.slice(90, 100).forEach((k) => d.partitionState.set(k, 'materialized'));
} else {
  const groups = Array.from({ length: G }, (_, i) => `group_${String(i).padStart(2, '0')}`);
  const layers = Math.max(4, Math.round(Math.sqrt(N) / 2));
  const per = Math.ceil(N / layers);
  const keys = [];
  const statuses = ['FRESH', 'FRESH', 'FRESH', 'STALE', 'MISSING', 'FAILED', 'OVERDUE', 'CHECK_FAILED'];
  for (let i = 0; i < N; i++) {
    const g = groups[Math.floor((i % per) / Math.ceil(per / G)) % G];
    const key = `${g}/asset_${i}`;
    keys.push(key);
    addAsset(key, g, i % 5 === 0 ? 'sql' : 'python', { status: statuses[Math.floor(rand() * statuses.length)], partitions: i % 97 === 0 ? { kind: 'daily', description: 'Daily from 2024-01-01', keys: days('2024-01-01', 365) } : null });
  }
  for (let i = per; i < N; i++) {
    const layer = Math.floor(i / per);
    const k = 1 + Math.floor(rand() * 2);
    for (let j = 0; j < k; j++) {
      const src = Math.floor((layer - 1) * per + rand() * per);
      if (src < i) edges.push({ source: keys[src], target: keys[i] });
    }
  }
  for (const a of assets.values()) if (a.status !== 'MISSING') addMat(a, Math.floor(rand() * 86400 * 3), Math.floor(rand() * 1e6));
}
const upstreamOf = new Map(), downstreamOf = new Map();
for (const e of edges) {
  (upstreamOf.get(e.target) ?? upstreamOf.set(e.target, []).get(e.target)).push(e.source);
  (downstreamOf.get(e.source) ?? downstreamOf.set(e.source, []).get(e.source)).push(e.target);
}

// ---------------------------------------------------------------- selection (subset of SPEC §2)
class SelectionError extends Error {}
function closure(keys, map, depth) {
  const out = new Set(keys);
  let frontier = [...keys];
  for (let d = 0; d < depth && frontier.length; d++) {
    const next = [];
    for (const k of frontier) for (const n of map.get(k) ?? []) if (!out.has(n)) { out.add(n); next.push(n); }
    frontier = next;
  }
  return out;
}
function select(expr) {
  const text = (expr ?? '*').trim() || '*';
  const parts = text.split(/\s*,\s*|\s+or\s+/);
  const result = new Set();
  let offset = 0;
  for (const raw of parts) {
    const pos = text.indexOf(raw, offset);
    offset = pos + raw.length;
    const p = raw.trim();
    if (!p || /^(and|not|or)$/.test(p) || /\s(and|not)$/.test(p)) {
      const at = p ? pos + raw.length : pos;
      throw new SelectionError(`Invalid selection: expected an asset name or filter at position ${at + 1}\n  ${text}\n  ${' '.repeat(at)}^`);
    }
    let m;
    if (p === '*') { assets.forEach((_, k) => result.add(k)); continue; }
    if ((m = /^(group|kind|key|owner):(.+)$/.exec(p))) {
      const [, attr, val] = m;
      const re = new RegExp('^' + val.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*') + '$');
      for (const a of assets.values()) if ((attr === 'group' && a.group === val) || (attr === 'kind' && a.kind === val) || (attr === 'key' && re.test(a.key)) || (attr === 'owner' && a.owners.includes(val))) result.add(a.key);
      continue;
    }
    m = /^(\*|\+*)([^*+]+?)(\*|\+*)$/.exec(p);
    if (!m) throw new SelectionError(`Invalid selection: unexpected character at position ${pos + 1}\n  ${text}\n  ${' '.repeat(pos)}^`);
    const [, up, name, down] = m;
    const key = assets.has(name) ? name : [...assets.keys()].find((k) => k.endsWith('/' + name));
    if (!key) {
      const close = [...assets.keys()].filter((k) => k.includes(name.slice(0, 3))).slice(0, 3);
      throw new SelectionError(`Unknown asset "${name}"${close.length ? `; did you mean ${close.join(', ')}?` : ''}\n  ${text}\n  ${' '.repeat(pos)}${'^'.repeat(p.length)}`);
    }
    for (const k of closure([key], upstreamOf, up === '*' ? 1e9 : up.length)) result.add(k);
    for (const k of closure([key], downstreamOf, down === '*' ? 1e9 : down.length)) result.add(k);
  }
  return result;
}

// ---------------------------------------------------------------- views
function partitionStats(a) {
  if (!a.partitions) return null;
  const keys = a.partitions.keys;
  let materialized = 0, failed = 0;
  const ranges = [];
  keys.forEach((k, i) => {
    const st = a.partitionState.get(k) ?? 'missing';
    if (st === 'materialized') materialized++;
    if (st === 'failed') failed++;
    const last = ranges[ranges.length - 1];
    if (last && last.status === st) { last.end = k; last.endIndex = i; last.count++; }
    else ranges.push({ status: st, start: k, end: k, startIndex: i, endIndex: i, count: 1 });
  });
  return { total: keys.length, materialized, failed, missing: keys.length - materialized - failed, ranges: ranges.filter((r) => r.status !== 'missing') };
}
const ref = (k) => { const a = assets.get(k); return { key: k, group: a.group, kind: a.kind, status: a.status, path: k.split('/') }; };
function assetView(a) {
  const latest = a.materializations[0] ?? null;
  return {
    ...ref(a.key), description: a.description, owners: a.owners, tags: a.tags, codeVersion: a.codeVersion,
    staleReasons: a.staleReasons, configSchema: a.configSchema,
    freshness: a.status === 'OVERDUE' ? { maxLagS: 86400, lagS: 86400 * 1.6, overdue: true } : null,
    partitionsDef: a.partitions ? { kind: a.partitions.kind, description: a.partitions.description, total: a.partitions.keys.length, keys: a.partitions.keys } : null,
    partitionStats: partitionStats(a),
    latestMaterialization: latest, materializations: a.materializations.slice(0, 50),
    upstream: (upstreamOf.get(a.key) ?? []).map(ref), downstream: (downstreamOf.get(a.key) ?? []).map(ref),
    checks: a.checks.map((c, i) => {
      const history = a.materializations.slice(0, 6).map((m, j) => ({ status: i === 0 && j === 0 && a.status === 'CHECK_FAILED' ? 'FAILED' : 'PASSED', passed: !(i === 0 && j === 0 && a.status === 'CHECK_FAILED'), partition: m.partition, runId: m.runId, timestamp: m.timestamp, metadata: { bad_rows: 0 }, error: null }));
      return { ...c, description: c.description ?? null, lastResult: history[0] ?? null, history };
    }),
    columns: a.columns, columnLineage: a.columnLineage, removed: false,
  };
}

// ---------------------------------------------------------------- runs
const runs = [];
let runSeq = 1;
function newRun(selectionText, partitions, parent) {
  const keys = [...select(selectionText)];
  const order = [...assets.keys()].filter((k) => keys.includes(k)); // insertion order is topological enough
  const id = `${Date.now().toString(16)}${(runSeq++).toString(16).padStart(4, '0')}-mock`;
  const parts = partitions?.length ? partitions : [null];
  const run = { id, status: 'QUEUED', selection: selectionText, partitions: partitions ?? [], tags: parent ? { parent } : {}, launchedBy: TOKEN ? 'operator' : 'local', executor: 'in_process', startedAt: null, endedAt: null, steps: [], events: [], cancel: false };
  for (const k of order) for (const p of parts.slice(0, 5)) run.steps.push({ asset: k, partition: p, status: null, attempts: 0, durationS: null, startedAt: null, endedAt: null, error: null });
  runs.unshift(run);
  const emit = (type, message, asset = null, partition = null, level = 'INFO') => run.events.push({ seq: run.events.length + 1, runId: id, timestamp: now(), type, asset, partition, level, message });
  let i = -1;
  const tick = () => {
    if (run.status === 'QUEUED') { run.status = 'STARTED'; run.startedAt = now(); emit('RUN_START', `Run started: ${selectionText}`); }
    const cur = run.steps[i];
    if (cur && cur.status === 'STARTED') {
      cur.endedAt = now(); cur.durationS = (Date.parse(cur.endedAt) - Date.parse(cur.startedAt)) / 1000;
      const a = assets.get(cur.asset);
      if (cur.asset.includes('payments')) { cur.status = 'FAILED'; cur.error = 'ConnectionError: payments API timed out after 30 s'; a.status = 'FAILED'; emit('STEP_FAILURE', cur.error, cur.asset, cur.partition, 'ERROR'); }
      else { cur.status = 'SUCCESS'; a.status = 'FRESH'; a.staleReasons = []; addMat(a, 0, Math.round(1000 + rand() * 2000), cur.partition, id); emit('ASSET_MATERIALIZATION', `Materialized ${cur.asset}`, cur.asset, cur.partition); emit('STEP_SUCCESS', `Step finished in ${cur.durationS.toFixed(2)} s`, cur.asset, cur.partition); }
    }
    i++;
    const failedUp = run.steps.some((s) => s.status === 'FAILED');
    if (run.cancel || i >= run.steps.length) {
      for (const s of run.steps) if (!s.status) s.status = run.cancel ? 'CANCELED' : 'SKIPPED';
      run.status = run.cancel ? 'CANCELED' : failedUp ? 'FAILURE' : 'SUCCESS'; run.endedAt = now();
      emit(run.cancel ? 'RUN_CANCELED' : failedUp ? 'RUN_FAILURE' : 'RUN_SUCCESS', `Run ${run.status.toLowerCase()}`, null, null, failedUp ? 'ERROR' : 'INFO');
      return;
    }
    const next = run.steps[i];
    if (failedUp && (upstreamOf.get(next.asset) ?? []).some((u) => run.steps.find((s) => s.asset === u && s.status !== 'SUCCESS'))) { next.status = 'SKIPPED'; emit('STEP_SKIPPED', 'Skipped: an upstream step failed', next.asset, next.partition, 'WARNING'); setTimeout(tick, 50); return; }
    next.status = 'STARTED'; next.startedAt = now(); next.attempts = 1; emit('STEP_START', `Computing ${next.asset}`, next.asset, next.partition);
    setTimeout(tick, 500 + rand() * 900);
  };
  setTimeout(tick, 300);
  return run;
}
for (const [sel, st] of [['raw/orders+', 'SUCCESS'], ['sales/revenue', 'FAILURE']]) if (N <= 30) { const r = newRun(sel, null); r.seedStatus = st; }

const runView = (r, opts = {}) => ({ id: r.id, status: r.status, selection: r.selection, partitions: r.partitions, tags: r.tags, launchedBy: r.launchedBy, executor: r.executor, startedAt: r.startedAt, endedAt: r.endedAt, steps: r.steps.filter((s) => s.status).map(({ ...s }) => s), events: r.events.filter((e) => opts.after == null || e.seq > opts.after).slice(0, opts.limit ?? 500) });

// ---------------------------------------------------------------- operations
function needAsset(key) { const a = assets.get(key); return a ? assetView(a) : null; }
const ops = {
  GraphLineage: ({ selection }) => { const keys = select(selection); return { lineage: { nodes: [...keys].map((k) => ref(k)), edges: edges.filter((e) => keys.has(e.source) && keys.has(e.target)) } }; },
  GraphSearch: ({ search }) => { const keys = new Set([...select('*')].filter((k) => k.toLowerCase().includes(String(search).toLowerCase()))); return { lineage: { nodes: [...keys].map((k) => ref(k)), edges: edges.filter((e) => keys.has(e.source) && keys.has(e.target)) } }; },
  GraphAssetsLive: ({ selection, search }) => ({ assets: [...select(selection ?? '*')].filter((k) => !search || k.toLowerCase().includes(String(search).toLowerCase())).map((k) => { const a = assets.get(k); const s = partitionStats(a); return { key: k, status: a.status, latestMaterialization: a.materializations[0] ? { timestamp: a.materializations[0].timestamp, runId: a.materializations[0].runId } : null, partitionStats: s && { total: s.total, materialized: s.materialized, failed: s.failed, missing: s.missing } }; }) }),
  AssetSummary: ({ key }) => ({ asset: needAsset(key) }),
  AssetPage: ({ key }) => ({ asset: needAsset(key) }),
  ColumnGraph: ({ asset, column }) => {
    // one hop each way, from the declared column lineage
    const id = (a, c) => `${a}.${c}`;
    const nodes = new Map([[id(asset, column), { id: id(asset, column), asset, column }]]);
    const out = [];
    for (const a of assets.values()) {
      for (const l of a.columnLineage) {
        for (const s of [...l.sources, ...(l.indirect ?? [])]) {
          const upstream = a.key === asset && l.column === column;
          const downstream = s.asset === asset && s.column === column;
          if (!upstream && !downstream) continue;
          nodes.set(id(s.asset, s.column), { id: id(s.asset, s.column), asset: s.asset, column: s.column });
          nodes.set(id(a.key, l.column), { id: id(a.key, l.column), asset: a.key, column: l.column });
          out.push({ source: id(s.asset, s.column), target: id(a.key, l.column), type: s.type, subtype: s.subtype });
        }
      }
    }
    return { columnGraph: { nodes: [...nodes.values()], edges: out } };
  },
  // Automation (SPEC §9): a schedule and a sensor, no ticks, no conditions, no load error.
  LoadError: () => ({ loadError: null }),
  AssetAutomation: ({ key }) => ({ asset: { key, automation: null } }),
  Automation: () => ({
    daemon: { running: false, host: null, pid: null, since: null },
    schedules: [{ name: 'daily', cron: '0 6 * * *', timezone: 'UTC', select: '*', partition: null, status: 'RUNNING', nextTickAt: new Date(Date.now() + 3600e3).toISOString(), lastTicks: [] }],
    sensors: [{ name: 'new_files', intervalS: 30, select: null, status: 'STOPPED', cursor: null, lastTickAt: null, nextTickAt: null, lastTicks: [] }],
    ticks: { ticks: [], nextCursor: null },
  }),
  MaterializeTargets: ({ selection }) => ({ assets: [...select(selection)].map((k) => needAsset(k)) }),
  Materialize: ({ selection, partitions }) => { select(selection); return { materialize: runView(newRun(selection, partitions)) }; },
  RunsList: ({ status, limit = 50, cursor }) => { const list = runs.filter((r) => !status || r.status === status); const start = cursor ? Number(cursor) : 0; const page = list.slice(start, start + limit); return { runs: { runs: page.map((r) => runView(r)), nextCursor: start + limit < list.length ? String(start + limit) : null } }; },
  RunPage: ({ id, limit }) => { const r = runs.find((x) => x.id === id); return { run: r ? runView(r, { limit }) : null }; },
  RunState: ({ id }) => { const r = runs.find((x) => x.id === id); return { run: r ? runView(r) : null }; },
  RunEventsPage: ({ id, after, limit }) => { const r = runs.find((x) => x.id === id); return { run: r ? runView(r, { after, limit }) : null }; },
  RunStatusOnly: ({ id }) => { const r = runs.find((x) => x.id === id); return { run: r ? { id: r.id, status: r.status } : null }; },
  CancelRun: ({ id }) => { const r = runs.find((x) => x.id === id); r.cancel = true; r.status = 'CANCELING'; return { cancelRun: { id, status: r.status } }; },
  ReexecuteRun: ({ id, fromFailure }) => { const r = runs.find((x) => x.id === id); const sel = fromFailure ? r.steps.filter((s) => s.status !== 'SUCCESS').map((s) => s.asset).join(', ') : r.selection; return { reexecuteRun: runView(newRun(sel || r.selection, r.partitions, id)) }; },
  SignInCheck: () => ({ runs: { nextCursor: null } }),
};

// ---------------------------------------------------------------- websocket (graphql-transport-ws, text frames only)
function wsFrame(text) {
  const payload = Buffer.from(text);
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x81, len]) : len < 65536 ? Buffer.from([0x81, 126, len >> 8, len & 255]) : Buffer.concat([Buffer.from([0x81, 127, 0, 0, 0, 0]), Buffer.from([(len >>> 24) & 255, (len >>> 16) & 255, (len >>> 8) & 255, len & 255])]);
  return Buffer.concat([head, payload]);
}
function handleUpgrade(req, socket) {
  const accept = createHash('sha1').update(req.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n`);
  const send = (obj) => socket.writable && socket.write(wsFrame(JSON.stringify(obj)));
  const timers = new Map();
  let buf = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 2) {
      const op = buf[0] & 15;
      let len = buf[1] & 127, off = 2;
      if (len === 126) { len = buf.readUInt16BE(2); off = 4; } else if (len === 127) { len = Number(buf.readBigUInt64BE(2)); off = 10; }
      if (buf.length < off + 4 + len) return;
      const mask = buf.subarray(off, off + 4);
      const data = Buffer.from(buf.subarray(off + 4, off + 4 + len)).map((b, i) => b ^ mask[i % 4]);
      buf = buf.subarray(off + 4 + len);
      if (op === 8) { socket.end(); return; }
      if (op !== 1) continue;
      const msg = JSON.parse(data.toString());
      if (msg.type === 'connection_init') {
        const auth = msg.payload?.Authorization;
        if (TOKEN && auth !== `Bearer ${TOKEN}`) { socket.end(Buffer.from([0x88, 2, 0x11, 0x3f])); return; } // 4415 forbidden-ish close
        send({ type: 'connection_ack' });
      } else if (msg.type === 'ping') send({ type: 'pong' });
      else if (msg.type === 'subscribe') {
        const run = runs.find((r) => r.id === msg.payload.variables?.runId);
        if (!run) { send({ id: msg.id, type: 'error', payload: [{ message: 'run not found', extensions: { code: 'NOT_FOUND' } }] }); continue; }
        let sent = run.events.length; // live events only: the page loads the stored ones itself
        const t = setInterval(() => {
          while (sent < run.events.length) send({ id: msg.id, type: 'next', payload: { data: { runEvents: run.events[sent++] } } });
          if (['SUCCESS', 'FAILURE', 'CANCELED'].includes(run.status)) { clearInterval(t); timers.delete(msg.id); send({ id: msg.id, type: 'complete' }); }
        }, 100);
        timers.set(msg.id, t);
      } else if (msg.type === 'complete') { clearInterval(timers.get(msg.id)); timers.delete(msg.id); }
    }
  });
  socket.on('close', () => timers.forEach((t) => clearInterval(t)));
  socket.on('error', () => timers.forEach((t) => clearInterval(t)));
}

// ---------------------------------------------------------------- http
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json' };
createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/graphql' && req.method === 'POST') {
    let body = '';
    for await (const chunk of req) body += chunk;
    const send = (status, obj) => { res.writeHead(status, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(obj)); };
    if (TOKEN && req.headers.authorization !== `Bearer ${TOKEN}`) return send(401, { errors: [{ message: 'Sign-in required', extensions: { code: 'UNAUTHENTICATED' } }] });
    const { operationName, variables } = JSON.parse(body || '{}');
    const op = ops[operationName];
    if (!op) return send(200, { errors: [{ message: `mock: unknown operation ${operationName}` }] });
    try {
      return send(200, { data: op(variables ?? {}) });
    } catch (e) {
      return send(200, { data: null, errors: [{ message: e.message, extensions: { code: e instanceof SelectionError ? 'INVALID_SELECTION' : 'INTERNAL' } }] });
    }
  }
  if (url.pathname === '/graphql') { res.writeHead(400); return res.end('POST or websocket'); }
  let file = normalize(join(STATIC, decodeURIComponent(url.pathname)));
  if (!file.startsWith(STATIC)) { res.writeHead(403); return res.end(); }
  try { if (!(await stat(file)).isFile()) throw new Error(); } catch { file = join(STATIC, 'index.html'); }
  try {
    const data = await readFile(file);
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(data);
  } catch { res.writeHead(404); res.end('build the UI first: npm run build'); }
}).on('upgrade', (req, socket) => (new URL(req.url, 'http://x').pathname === '/graphql' ? handleUpgrade(req, socket) : socket.destroy())).listen(PORT, '127.0.0.1', () => console.log(`mock server on http://127.0.0.1:${PORT} (${assets.size} assets, ${edges.length} edges)`));
