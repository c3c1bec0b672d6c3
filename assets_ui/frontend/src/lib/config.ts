// Run-config helpers: defaults from an asset's configSchema (JSON describing the
// fields of its config dataclass) for the editor in the Materialize dialog.
import type { JSONObject, JSONValue } from '../api/types';

function isObject(v: JSONValue | undefined): v is JSONObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function placeholderFor(type: JSONValue | undefined): JSONValue {
  const t = String(type ?? '').toLowerCase();
  if (t.includes('int') || t.includes('float') || t === 'number') return 0;
  if (t.includes('bool')) return false;
  if (t.includes('list') || t === 'array') return [];
  if (t.includes('dict') || t === 'object') return {};
  if (t.includes('str')) return '';
  return null;
}

function fieldDefault(field: JSONValue): JSONValue {
  if (!isObject(field)) return field;
  if ('default' in field) return field.default;
  if ('default_factory' in field && field.default_factory !== null) return field.default_factory;
  return placeholderFor(field.type);
}

/**
 * Accepted configSchema forms:
 *   JSON Schema: {"type": "object", "properties": {"n": {"type": "integer", "default": 3}}}
 *   field list:  {"fields": [{"name": "n", "type": "int", "default": 3}]} or the bare list
 *   field map:   {"n": {"type": "int", "default": 3}}
 *   defaults:    {"n": 3}
 */
export function defaultsFromConfigSchema(schema: JSONValue | null | undefined): JSONObject {
  if (schema === null || schema === undefined) return {};
  if (typeof schema === 'string') {
    try {
      return defaultsFromConfigSchema(JSON.parse(schema) as JSONValue);
    } catch {
      return {};
    }
  }
  const list = Array.isArray(schema) ? schema : isObject(schema) && Array.isArray(schema.fields) ? schema.fields : null;
  if (list) {
    const out: JSONObject = {};
    for (const f of list) {
      if (isObject(f) && typeof f.name === 'string') out[f.name] = fieldDefault(f);
    }
    return out;
  }
  if (!isObject(schema)) return {};
  if (isObject(schema.properties)) {
    const out: JSONObject = {};
    for (const [name, prop] of Object.entries(schema.properties)) {
      out[name] = isObject(prop) && 'default' in prop ? prop.default : placeholderFor(isObject(prop) ? prop.type : null);
    }
    return out;
  }
  const out: JSONObject = {};
  for (const [name, value] of Object.entries(schema)) {
    if (name === 'title' || name === 'name' || name === '$schema') continue;
    out[name] = fieldDefault(value);
  }
  return out;
}

/** The run config sent with `materialize`: one entry per asset that takes config, keyed by asset key. */
export function buildConfigTemplate(assets: readonly { key: string; configSchema: JSONValue | null }[]): JSONObject {
  const out: JSONObject = {};
  for (const a of assets) {
    if (a.configSchema !== null && a.configSchema !== undefined) out[a.key] = defaultsFromConfigSchema(a.configSchema);
  }
  return out;
}

export type ParsedConfig = { ok: true; value: JSONObject | null } | { ok: false; error: string };

export function parseConfigText(text: string): ParsedConfig {
  if (!text.trim()) return { ok: true, value: null };
  try {
    const value = JSON.parse(text) as JSONValue;
    if (!isObject(value)) return { ok: false, error: 'Config must be a JSON object' };
    return { ok: true, value: Object.keys(value).length ? value : null };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}
