// GraphiQL's shareable URL: /graphql#query=…&variables=… opens with that document.
// In the fragment, not the query string: a GET of /graphql?query=… executes it.

export const DEFAULT_QUERY = /* GraphQL */ `# Assetline's GraphQL API: the schema is under Docs, on the left.
# Run with Ctrl-Enter.
{
  assets { key group status }
  runs(limit: 5) { runs { id status startedAt } nextCursor }
}
`;

export interface IdeParameters {
  query?: string;
  variables?: string;
}

/** The document and variables a URL fragment (`#query=…&variables=…`) names. */
export function ideParameters(hash: string): IdeParameters {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  return {
    query: params.get('query') || undefined,
    variables: params.get('variables') || undefined,
  };
}

/** The fragment `hash` with `name` set to `value` (removed when empty). */
export function withParameter(hash: string, name: string, value: string): string {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  if (value) params.set(name, value);
  else params.delete(name);
  const text = params.toString();
  return text ? `#${text}` : '';
}
