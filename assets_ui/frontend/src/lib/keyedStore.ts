// A tiny external store keyed by string: components subscribe to one key and only
// re-render when that key's value changes (used for live asset status on 10k nodes).

export interface KeyedStore<T> {
  get(key: string): T | undefined;
  set(key: string, value: T): void;
  /** Set many values; listeners fire only for keys whose value changed (per `equal`). Returns the changed keys. */
  setMany(entries: Iterable<[string, T]>): string[];
  update(key: string, fn: (prev: T | undefined) => T): void;
  subscribe(key: string, listener: () => void): () => void;
  subscribeAll(listener: (changed: string[]) => void): () => void;
  keys(): IterableIterator<string>;
  version(): number;
}

export function createKeyedStore<T>(equal: (a: T, b: T) => boolean = Object.is): KeyedStore<T> {
  const values = new Map<string, T>();
  const listeners = new Map<string, Set<() => void>>();
  const allListeners = new Set<(changed: string[]) => void>();
  let version = 0;

  const notify = (changed: string[]) => {
    if (!changed.length) return;
    version++;
    for (const key of changed) listeners.get(key)?.forEach((l) => l());
    allListeners.forEach((l) => l(changed));
  };

  const store: KeyedStore<T> = {
    get: (key) => values.get(key),
    set(key, value) {
      store.setMany([[key, value]]);
    },
    setMany(entries) {
      const changed: string[] = [];
      for (const [key, value] of entries) {
        const prev = values.get(key);
        if (prev !== undefined && equal(prev, value)) continue;
        values.set(key, value);
        changed.push(key);
      }
      notify(changed);
      return changed;
    },
    update(key, fn) {
      store.set(key, fn(values.get(key)));
    },
    subscribe(key, listener) {
      let set = listeners.get(key);
      if (!set) listeners.set(key, (set = new Set()));
      set.add(listener);
      return () => {
        set?.delete(listener);
        if (set && set.size === 0) listeners.delete(key);
      };
    },
    subscribeAll(listener) {
      allListeners.add(listener);
      return () => allListeners.delete(listener);
    },
    keys: () => values.keys(),
    version: () => version,
  };
  return store;
}
