// The app's GraphQL client: same-origin /graphql, bearer token from localStorage,
// 401 / UNAUTHENTICATED → /signin?next=<where the user was>.
import { createClient, type Client } from 'graphql-ws';
import { getToken } from '../lib/auth';
import { createGqlClient } from '../lib/graphql';
import { currentPath, navigate, signInPath } from '../lib/router';

export const gql = createGqlClient({
  endpoint: '/graphql',
  getToken: () => getToken(),
  onUnauthenticated: () => {
    if (window.location.pathname !== '/signin') navigate(signInPath(currentPath()));
  },
});

export function websocketUrl(location: Pick<Location, 'protocol' | 'host'> = window.location): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
}

let wsClient: Client | null = null;

/** Shared graphql-transport-ws client (lazy: connects on the first subscription). */
export function subscriptionClient(): Client {
  if (!wsClient) {
    wsClient = createClient({
      url: websocketUrl(),
      lazy: true,
      retryAttempts: 3,
      connectionParams: () => {
        const token = getToken();
        return token ? { Authorization: `Bearer ${token}`, authToken: token } : {};
      },
    });
  }
  return wsClient;
}

/** Drop the websocket (e.g. after the token changed) so the next subscription reconnects with new params. */
export function resetSubscriptionClient(): void {
  const c = wsClient;
  wsClient = null;
  void c?.dispose();
}

export interface SubscriptionHandlers<T> {
  next: (value: T) => void;
  error?: (error: Error) => void;
  complete?: () => void;
}

export function subscribe<T>(query: string, variables: Record<string, unknown>, handlers: SubscriptionHandlers<T>): () => void {
  let client: Client;
  try {
    client = subscriptionClient();
  } catch (e) {
    handlers.error?.(e instanceof Error ? e : new Error(String(e)));
    return () => undefined;
  }
  return client.subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors?.length) {
          handlers.error?.(new Error(result.errors.map((e) => e.message).join('\n')));
          return;
        }
        if (result.data) handlers.next(result.data as T);
      },
      error: (err: unknown) => {
        const message =
          err instanceof Error
            ? err.message
            : Array.isArray(err)
              ? err.map((e: { message?: string }) => e.message ?? String(e)).join('\n')
              : err && typeof err === 'object' && 'reason' in err
                ? `websocket closed: ${String((err as { reason?: string }).reason || (err as { code?: number }).code)}`
                : String(err);
        handlers.error?.(new Error(message));
      },
      complete: () => handlers.complete?.(),
    },
  );
}
