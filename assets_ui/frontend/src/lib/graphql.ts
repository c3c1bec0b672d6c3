// Minimal GraphQL-over-fetch client: POST JSON to /graphql, bearer token attached,
// GraphQL errors raised as GraphQLRequestError (message kept verbatim: selection
// errors carry a caret line that the UI renders in monospace), 401 or an
// UNAUTHENTICATED error code turns into UnauthenticatedError and calls
// onUnauthenticated (the app sends the user to /signin).

import { authHeaders } from './auth';

export interface GraphQLErrorItem {
  message: string;
  path?: (string | number)[];
  locations?: { line: number; column: number }[];
  extensions?: { code?: string; [key: string]: unknown };
}

export class GraphQLRequestError extends Error {
  readonly errors: GraphQLErrorItem[];
  readonly status: number;
  readonly code: string | undefined;

  constructor(message: string, errors: GraphQLErrorItem[], status: number) {
    super(message);
    this.name = 'GraphQLRequestError';
    this.errors = errors;
    this.status = status;
    this.code = errors.find((e) => e.extensions?.code)?.extensions?.code;
  }
}

export class UnauthenticatedError extends GraphQLRequestError {
  constructor(message: string, errors: GraphQLErrorItem[], status: number) {
    super(message, errors, status);
    this.name = 'UnauthenticatedError';
  }
}

export type Variables = Record<string, unknown>;

export interface GqlClientOptions {
  endpoint?: string;
  fetchImpl?: typeof fetch;
  getToken?: () => string | null;
  onUnauthenticated?: () => void;
}

export type GqlClient = <T>(query: string, variables?: Variables, signal?: AbortSignal) => Promise<T>;

interface GraphQLResponseBody {
  data?: unknown;
  errors?: GraphQLErrorItem[];
}

function isResponseBody(value: unknown): value is GraphQLResponseBody {
  return typeof value === 'object' && value !== null && ('data' in value || 'errors' in value);
}

function normaliseErrors(raw: unknown): GraphQLErrorItem[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((item: unknown) => {
    if (typeof item === 'object' && item !== null && 'message' in item) {
      return item as GraphQLErrorItem;
    }
    return { message: String(item) };
  });
}

export function errorMessage(errors: GraphQLErrorItem[]): string {
  return errors.map((e) => e.message).join('\n') || 'Unknown GraphQL error';
}

/** The server answers an unknown asset or run id with a NOT_FOUND error (SPEC §7), not a null. */
export function isNotFound(error: unknown): error is GraphQLRequestError {
  return error instanceof GraphQLRequestError && error.errors.some((e) => e.extensions?.code === 'NOT_FOUND');
}

export function isUnauthenticated(errors: GraphQLErrorItem[]): boolean {
  return errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED');
}

/** Operation name of a query document (`query Foo(...)` → "Foo"), for logging and mocks. */
export function operationName(query: string): string | undefined {
  const match = /^\s*(?:query|mutation|subscription)\s+([A-Za-z_][A-Za-z0-9_]*)/m.exec(query);
  return match?.[1];
}

export function createGqlClient(options: GqlClientOptions = {}): GqlClient {
  const endpoint = options.endpoint ?? '/graphql';
  return async function gql<T>(query: string, variables?: Variables, signal?: AbortSignal): Promise<T> {
    const fetchImpl = options.fetchImpl ?? globalThis.fetch.bind(globalThis);
    const token = options.getToken ? options.getToken() : null;
    const response = await fetchImpl(endpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json',
        ...authHeaders(token),
      },
      body: JSON.stringify({ query, variables: variables ?? {}, operationName: operationName(query) }),
      signal,
    });

    let body: unknown = undefined;
    const text = await response.text();
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
    }
    const errors = isResponseBody(body) ? normaliseErrors(body.errors) : [];

    if (response.status === 401 || isUnauthenticated(errors)) {
      options.onUnauthenticated?.();
      const list = errors.length ? errors : [{ message: 'Sign-in required', extensions: { code: 'UNAUTHENTICATED' } }];
      throw new UnauthenticatedError(errorMessage(list), list, response.status);
    }
    if (errors.length) {
      throw new GraphQLRequestError(errorMessage(errors), errors, response.status);
    }
    if (!response.ok) {
      const detail = text && !isResponseBody(body) ? `: ${text.slice(0, 200)}` : '';
      const list = [{ message: `HTTP ${response.status}${detail}` }];
      throw new GraphQLRequestError(list[0].message, list, response.status);
    }
    if (!isResponseBody(body) || body.data === undefined || body.data === null) {
      const list = [{ message: 'Malformed response from server (no data)' }];
      throw new GraphQLRequestError(list[0].message, list, response.status);
    }
    return body.data as T;
  };
}
