// GraphiQL at /graphql, bundled with the UI (a second Vite entry): no script or style
// comes from a CDN, so it works offline and on locked-down networks. The server
// answers a browser's GET /graphql with the built graphiql.html.
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { authHeaders, getToken } from '../lib/auth';
import { websocketUrl } from '../api/client';
import { DEFAULT_QUERY, ideParameters, withParameter } from './parameters';

// A token the UI's sign-in page stored is sent by GraphiQL too; the headers editor
// can override it.
const token = getToken();
const fetcher = createGraphiQLFetcher({
  url: '/graphql',
  subscriptionUrl: websocketUrl(),
  headers: authHeaders(token),
  wsConnectionParams: token ? { Authorization: `Bearer ${token}`, authToken: token } : {},
});

const initial = ideParameters(window.location.hash);

function keepInUrl(name: string): (value: string) => void {
  return (value) => {
    const { pathname, search, hash } = window.location;
    window.history.replaceState(null, '', pathname + search + withParameter(hash, name, value));
  };
}

const root = document.getElementById('graphiql');
if (!root) throw new Error('#graphiql missing');
createRoot(root).render(
  <StrictMode>
    <GraphiQL
      fetcher={fetcher}
      initialQuery={initial.query ?? DEFAULT_QUERY}
      initialVariables={initial.variables}
      onEditQuery={keepInUrl('query')}
      onEditVariables={keepInUrl('variables')}
      isHeadersEditorEnabled
      defaultEditorToolsVisibility
    />
  </StrictMode>,
);
