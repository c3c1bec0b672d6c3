// Building SPEC §2 selection expressions from what the user picked in the graph.

const PLAIN_KEY = /^[A-Za-z0-9_][A-Za-z0-9_./-]*$/;

export function isPlainKey(key: string): boolean {
  return PLAIN_KEY.test(key);
}

const SEARCH_WORD = /^[A-Za-z0-9_-]+$/;
const KEYWORDS = new Set(['changed', 'and', 'or', 'not']);

/** What the graph's filter box asks for: a single word (`customers`) searches keys
 * for it; anything else (`raw/customers`, `group:raw`, `*orders+`, `a, b`) is a
 * SPEC §2 selection. */
export type GraphFilter = { kind: 'search'; text: string } | { kind: 'selection'; text: string };

export function graphFilter(text: string): GraphFilter {
  const t = text.trim();
  if (SEARCH_WORD.test(t) && !KEYWORDS.has(t.toLowerCase())) return { kind: 'search', text: t };
  return { kind: 'selection', text: t };
}

/** Selected asset keys and collapsed groups → "a, sales/b, group:finance". */
export function selectionFor(keys: readonly string[], groups: readonly string[] = []): string {
  const parts = [...new Set(keys)].map((k) => (isPlainKey(k) ? k : `key:${k}`));
  for (const g of new Set(groups)) parts.push(`group:${g}`);
  return parts.join(', ');
}
