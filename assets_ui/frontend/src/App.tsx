import { useEffect } from 'react';
import { resetSubscriptionClient } from './api/client';
import { Link } from './components/Link';
import { LoadErrorBanner } from './components/LoadErrorBanner';
import { ToastProvider } from './components/Toasts';
import { useLocation } from './hooks/useLocation';
import { clearToken, getToken } from './lib/auth';
import { navigate, parseRoute, signInPath, type Route } from './lib/router';
import { AssetPage } from './pages/AssetPage';
import { AutomationPage } from './pages/AutomationPage';
import { GraphPage } from './pages/GraphPage';
import { RunPage } from './pages/RunPage';
import { RunsPage } from './pages/RunsPage';
import { SignInPage } from './pages/SignInPage';

function titleFor(route: Route): string {
  switch (route.name) {
    case 'graph':
      return 'Asset graph';
    case 'asset':
      return route.key;
    case 'runs':
      return 'Runs';
    case 'run':
      return `Run ${route.id.slice(0, 8)}`;
    case 'signin':
      return 'Sign in';
    case 'automation':
      return 'Automation';
    default:
      return 'Not found';
  }
}

function Page({ route }: { route: Route }) {
  switch (route.name) {
    case 'graph':
      return <GraphPage />;
    case 'asset':
      return <AssetPage key={route.key} assetKey={route.key} />;
    case 'runs':
      return <RunsPage />;
    case 'run':
      return <RunPage key={route.id} runId={route.id} />;
    case 'signin':
      return <SignInPage />;
    case 'automation':
      return <AutomationPage />;
    default:
      return (
        <div className="page" data-testid="not-found">
          <h1>Page not found</h1>
          <p>
            Nothing at <code>{route.path}</code>. <Link to="/">Go to the asset graph</Link>
          </p>
        </div>
      );
  }
}

/** Sign out, when signed in. Nothing otherwise: with auth off there is nothing to sign
 * in to, and with auth on the server's first 401 opens the sign-in page by itself. */
function AuthStatus() {
  const token = getToken();
  if (!token) return null;
  return (
    <button
      type="button"
      className="nav-link as-button"
      data-testid="signout-button"
      onClick={() => {
        clearToken();
        resetSubscriptionClient();
        navigate(signInPath('/'));
      }}
    >
      Sign out
    </button>
  );
}

export function App() {
  const { pathname } = useLocation();
  const route = parseRoute(pathname);
  useEffect(() => {
    document.title = `${titleFor(route)} · Assetline`;
  });
  const section = route.name === 'runs' || route.name === 'run' ? 'runs' : route.name === 'graph' || route.name === 'asset' ? 'assets' : '';
  return (
    <ToastProvider>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <div className={`app route-${route.name}`}>
        <header className="topbar">
          <Link to="/" className="brand" aria-label="Assetline home">
            <span className="brand-mark" aria-hidden="true">◆</span> Assetline
          </Link>
          <nav className="nav" aria-label="Main">
            <Link to="/" className={`nav-link${section === 'assets' ? ' active' : ''}`} aria-current={section === 'assets' ? 'page' : undefined} data-testid="nav-graph">
              Assets
            </Link>
            <Link to="/runs" className={`nav-link${section === 'runs' ? ' active' : ''}`} aria-current={section === 'runs' ? 'page' : undefined} data-testid="nav-runs">
              Runs
            </Link>
            <Link to="/automation" className={`nav-link${route.name === 'automation' ? ' active' : ''}`} aria-current={route.name === 'automation' ? 'page' : undefined} data-testid="nav-automation">
              Automation
            </Link>
          </nav>
          <div className="spacer" />
          {route.name !== 'signin' && <AuthStatus />}
        </header>
        <main id="main" className="main" tabIndex={-1}>
          {route.name !== 'signin' && <LoadErrorBanner />}
          <Page route={route} />
        </main>
      </div>
    </ToastProvider>
  );
}
