import { useCallback, useSyncExternalStore } from 'react';
import type { KeyedStore } from '../lib/keyedStore';

export function useKeyed<T>(store: KeyedStore<T>, key: string): T | undefined {
  const sub = useCallback((cb: () => void) => store.subscribe(key, cb), [store, key]);
  const get = useCallback(() => store.get(key), [store, key]);
  return useSyncExternalStore(sub, get, get);
}
