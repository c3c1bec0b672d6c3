// Tiny history-API router. Routes:
//   /                     graph view   (?select=<selection expression> or ?search=<word>)
//   /assets/<key path>    asset page   (key "sales/orders" → /assets/sales/orders)
//   /runs                 runs list    (?status=FAILURE)
//   /runs/<id>            run page
//   /signin               sign-in page (?next=<path to return to>)
//   /automation           schedules, sensors and ticks (?name=<one of them>)

export type Route =
  | { name: 'graph' }
  | { name: 'asset'; key: string }
  | { name: 'runs' }
  | { name: 'run'; id: string }
  | { name: 'signin' }
  | { name: 'automation' }
  | { name: 'notfound'; path: string };

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function parseRoute(pathname: string): Route {
  const clean = pathname.replace(/\/+$/, '') || '/';
  if (clean === '/') return { name: 'graph' };
  if (clean === '/runs') return { name: 'runs' };
  if (clean === '/signin') return { name: 'signin' };
  if (clean === '/automation') return { name: 'automation' };
  const segments = clean.split('/').filter(Boolean);
  if (segments[0] === 'assets' && segments.length > 1) {
    return { name: 'asset', key: segments.slice(1).map(decodeSegment).join('/') };
  }
  if (segments[0] === 'runs' && segments.length === 2) {
    return { name: 'run', id: decodeSegment(segments[1]) };
  }
  return { name: 'notfound', path: pathname };
}

export function assetPath(key: string): string {
  return '/assets/' + key.split('/').map(encodeURIComponent).join('/');
}

export function runPath(id: string): string {
  return '/runs/' + encodeURIComponent(id);
}

export function automationPath(name?: string): string {
  return name ? `/automation?name=${encodeURIComponent(name)}` : '/automation';
}

export function graphPath(selection?: string): string {
  return selection ? `/?select=${encodeURIComponent(selection)}` : '/';
}

/** The graph of the assets whose key contains `text` (the filter box's free-text search). */
export function graphSearchPath(text: string): string {
  return text ? `/?search=${encodeURIComponent(text)}` : '/';
}

export function signInPath(next?: string): string {
  return next && next !== '/signin' ? `/signin?next=${encodeURIComponent(next)}` : '/signin';
}

/** Only same-origin absolute paths are accepted as a post-sign-in destination. */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/signin')) return '/';
  return next;
}

export const NAVIGATE_EVENT = 'assetline:navigate';

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const current = window.location.pathname + window.location.search + window.location.hash;
  if (to === current) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

export function currentPath(): string {
  return window.location.pathname + window.location.search;
}
