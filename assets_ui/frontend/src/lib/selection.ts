// Building SPEC §2 selection expressions from what the user picked in the graph.

const PLAIN_KEY = /^[A-Za-z0-9_][A-Za-z0-9_./-]*$/;

export function isPlainKey(key: string): boolean {
  return PLAIN_KEY.test(key);
}

/** Selected asset keys and collapsed groups → "a, sales/b, group:finance". */
export function selectionFor(keys: readonly string[], groups: readonly string[] = []): string {
  const parts = [...new Set(keys)].map((k) => (isPlainKey(k) ? k : `key:${k}`));
  for (const g of new Set(groups)) parts.push(`group:${g}`);
  return parts.join(', ');
}
