import { describe, expect, it, vi } from 'vitest';
import { createGqlClient, GraphQLRequestError, isNotFound, operationName, UnauthenticatedError } from '../src/lib/graphql';
import { authHeaders, getToken, setToken, clearToken, TOKEN_STORAGE_KEY, type KeyValueStorage } from '../src/lib/auth';

function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

function fakeFetch(response: Response) {
  return vi.fn(async (_url: RequestInfo | URL, _init?: RequestInit) => response);
}

describe('createGqlClient', () => {
  it('posts the query and returns data', async () => {
    const fetchImpl = fakeFetch(jsonResponse({ data: { asset: { key: 'orders' } } }));
    const gql = createGqlClient({ fetchImpl, getToken: () => 'tok' });
    const data = await gql<{ asset: { key: string } }>('query AssetPage($key: String!) { asset(key: $key) { key } }', { key: 'orders' });
    expect(data.asset.key).toBe('orders');
    const [url, init] = fetchImpl.mock.calls[0];
    expect(url).toBe('/graphql');
    expect(init?.method).toBe('POST');
    const headers = init?.headers as Record<string, string>;
    expect(headers.Authorization).toBe('Bearer tok');
    expect(headers['Content-Type']).toBe('application/json');
    const body = JSON.parse(String(init?.body));
    expect(body).toEqual({ query: expect.stringContaining('asset(key'), variables: { key: 'orders' }, operationName: 'AssetPage' });
  });

  it('sends no Authorization header without a token', async () => {
    const fetchImpl = fakeFetch(jsonResponse({ data: { ok: true } }));
    await createGqlClient({ fetchImpl, getToken: () => null })('{ ok }');
    expect((fetchImpl.mock.calls[0][1]?.headers as Record<string, string>).Authorization).toBeUndefined();
  });

  it('raises GraphQL errors with their message verbatim (caret line kept)', async () => {
    const message = 'Invalid selection at position 7: expected an asset name\n  orders and\n            ^';
    const fetchImpl = fakeFetch(jsonResponse({ data: null, errors: [{ message, extensions: { code: 'INVALID_SELECTION' } }] }));
    const gql = createGqlClient({ fetchImpl });
    const error = await gql('{ lineage(selection: "orders and") { nodes { key } } }').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphQLRequestError);
    expect((error as GraphQLRequestError).message).toBe(message);
    expect((error as GraphQLRequestError).code).toBe('INVALID_SELECTION');
    expect(error).not.toBeInstanceOf(UnauthenticatedError);
  });

  it('joins several error messages', async () => {
    const fetchImpl = fakeFetch(jsonResponse({ errors: [{ message: 'a' }, { message: 'b' }] }));
    await expect(createGqlClient({ fetchImpl })('{ x }')).rejects.toThrow('a\nb');
  });

  it('turns HTTP 401 into UnauthenticatedError and calls onUnauthenticated', async () => {
    const onUnauthenticated = vi.fn();
    const fetchImpl = fakeFetch(new Response('unauthorized', { status: 401 }));
    const gql = createGqlClient({ fetchImpl, onUnauthenticated });
    await expect(gql('{ x }')).rejects.toBeInstanceOf(UnauthenticatedError);
    expect(onUnauthenticated).toHaveBeenCalledTimes(1);
  });

  it('treats an UNAUTHENTICATED error code like a 401', async () => {
    const onUnauthenticated = vi.fn();
    const fetchImpl = fakeFetch(jsonResponse({ errors: [{ message: 'Sign in', extensions: { code: 'UNAUTHENTICATED' } }] }));
    const error = await createGqlClient({ fetchImpl, onUnauthenticated })('{ x }').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthenticatedError);
    expect((error as UnauthenticatedError).code).toBe('UNAUTHENTICATED');
    expect(onUnauthenticated).toHaveBeenCalledOnce();
  });

  it('does not call onUnauthenticated for FORBIDDEN', async () => {
    const onUnauthenticated = vi.fn();
    const fetchImpl = fakeFetch(jsonResponse({ errors: [{ message: 'operators of group:sales only', extensions: { code: 'FORBIDDEN' } }] }));
    const error = await createGqlClient({ fetchImpl, onUnauthenticated })('{ x }').catch((e: unknown) => e);
    expect((error as GraphQLRequestError).code).toBe('FORBIDDEN');
    expect(onUnauthenticated).not.toHaveBeenCalled();
  });

  it('reports non-JSON HTTP errors with the status', async () => {
    const fetchImpl = fakeFetch(new Response('<html>Bad gateway</html>', { status: 502 }));
    await expect(createGqlClient({ fetchImpl })('{ x }')).rejects.toThrow(/HTTP 502/);
  });

  it('rejects a response without data', async () => {
    const fetchImpl = fakeFetch(jsonResponse({ data: null }));
    await expect(createGqlClient({ fetchImpl })('{ x }')).rejects.toThrow(/no data/);
  });

  it('passes the abort signal through', async () => {
    const fetchImpl = fakeFetch(jsonResponse({ data: { x: 1 } }));
    const ctrl = new AbortController();
    await createGqlClient({ fetchImpl })('{ x }', {}, ctrl.signal);
    expect(fetchImpl.mock.calls[0][1]?.signal).toBe(ctrl.signal);
  });
});

describe('isNotFound', () => {
  it('recognises a NOT_FOUND error from the server (an unknown asset or run)', async () => {
    const body = {
      data: { asset: null },
      errors: [{ message: "Unknown asset 'raw/nope'. Did you mean 'raw/orders'?", path: ['asset'], extensions: { code: 'NOT_FOUND' } }],
    };
    const client = createGqlClient({ fetchImpl: (async () => new Response(JSON.stringify(body), { status: 200 })) as typeof fetch });
    const error = await client('{ asset(key: "raw/nope") { key } }').catch((e: unknown) => e);
    expect(isNotFound(error)).toBe(true);
    expect((error as Error).message).toContain('Did you mean');
  });

  it('is false for other errors', () => {
    expect(isNotFound(new GraphQLRequestError('bad', [{ message: 'bad', extensions: { code: 'INVALID_SELECTION' } }], 200))).toBe(false);
    expect(isNotFound(new Error('x'))).toBe(false);
    expect(isNotFound(undefined)).toBe(false);
  });
});

describe('operationName', () => {
  it('reads the name of named operations', () => {
    expect(operationName('  query Foo($a: Int) { x }')).toBe('Foo');
    expect(operationName('mutation Materialize { x }')).toBe('Materialize');
    expect(operationName('{ x }')).toBeUndefined();
  });
});

describe('token storage', () => {
  function memoryStorage(): KeyValueStorage {
    const m = new Map<string, string>();
    return { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => void m.set(k, v), removeItem: (k) => void m.delete(k) };
  }

  it('stores, trims and clears the token', () => {
    const s = memoryStorage();
    expect(getToken(s)).toBeNull();
    setToken('  abc  ', s);
    expect(s.getItem(TOKEN_STORAGE_KEY)).toBe('abc');
    expect(getToken(s)).toBe('abc');
    clearToken(s);
    expect(getToken(s)).toBeNull();
    setToken('x', s);
    setToken('   ', s);
    expect(getToken(s)).toBeNull();
  });

  it('builds the bearer header', () => {
    expect(authHeaders('t')).toEqual({ Authorization: 'Bearer t' });
    expect(authHeaders(null)).toEqual({});
  });

  it('works without any storage', () => {
    expect(getToken(null)).toBeNull();
  });
});
