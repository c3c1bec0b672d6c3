// Bearer token storage (SPEC §13). The token lives in localStorage and is sent as
// `Authorization: Bearer <token>` on every request and in the websocket
// connectionParams.

export const TOKEN_STORAGE_KEY = 'assetline.token';

export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

function defaultStorage(): KeyValueStorage | null {
  try {
    if (typeof localStorage !== 'undefined') return localStorage;
  } catch {
    // access to localStorage can throw (privacy mode, sandboxed iframes)
  }
  return null;
}

export function getToken(storage: KeyValueStorage | null = defaultStorage()): string | null {
  const value = storage?.getItem(TOKEN_STORAGE_KEY) ?? null;
  return value && value.trim() ? value.trim() : null;
}

export function setToken(token: string, storage: KeyValueStorage | null = defaultStorage()): void {
  const trimmed = token.trim();
  if (!storage) return;
  if (trimmed) storage.setItem(TOKEN_STORAGE_KEY, trimmed);
  else storage.removeItem(TOKEN_STORAGE_KEY);
}

export function clearToken(storage: KeyValueStorage | null = defaultStorage()): void {
  storage?.removeItem(TOKEN_STORAGE_KEY);
}

export function authHeaders(token: string | null): Record<string, string> {
  return token ? { Authorization: `Bearer ${token}` } : {};
}
