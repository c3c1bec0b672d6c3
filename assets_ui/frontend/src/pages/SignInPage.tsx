import { useState } from 'react';
import { gql, resetSubscriptionClient } from '../api/client';
import { ErrorBox } from '../components/Feedback';
import { useLocation } from '../hooks/useLocation';
import { clearToken, getToken, setToken } from '../lib/auth';
import { UnauthenticatedError } from '../lib/graphql';
import { navigate, safeNext } from '../lib/router';

const CHECK_QUERY = /* GraphQL */ `
  query SignInCheck {
    runs(limit: 1) { nextCursor }
  }
`;

export function SignInPage() {
  const { search } = useLocation();
  const next = safeNext(search.get('next'));
  const [token, setTokenText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const hadToken = getToken() !== null;

  const submit = async () => {
    setBusy(true);
    setError(null);
    setToken(token);
    resetSubscriptionClient();
    try {
      await gql(CHECK_QUERY);
      navigate(next, { replace: true });
    } catch (e) {
      if (e instanceof UnauthenticatedError) {
        clearToken();
        setError('The server did not accept this token.');
      } else {
        // the token may still be fine (e.g. a viewer-scoped error); go on
        navigate(next, { replace: true });
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="signin" data-testid="signin-page">
      <form
        className="card signin-card"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <h1>Sign in to Assetline</h1>
        <p className="muted">
          {hadToken ? 'Your token was not accepted. ' : 'This server requires an access token. '}
          Paste the bearer token you were given (see <code>ASSETLINE_AUTH_TOKENS</code> or the <code>--auth</code> file).
        </p>
        <label className="field">
          <span>Access token</span>
          <input
            type="password"
            autoComplete="current-password"
            value={token}
            onChange={(e) => setTokenText(e.target.value)}
            data-testid="signin-token"
            autoFocus
            required
          />
        </label>
        {error && <ErrorBox error={error} testId="signin-error" />}
        <button type="submit" className="button primary" disabled={busy || !token.trim()} data-testid="signin-submit">
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        <p className="muted small">The token is kept in this browser only (localStorage) and sent as an Authorization header.</p>
      </form>
    </div>
  );
}
