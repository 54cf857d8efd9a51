/**
 * Hash routes (`#/applications/<id>`): the server serves one page at /dashboard/, and the address bar, the back
 * button and bookmarks still work.
 */
import { useEffect, useState } from 'preact/hooks';

/** The route's path segments, decoded: `#/applications/abc` is `['applications', 'abc']`. */
export function currentRoute(): string[] {
  const path = location.hash.replace(/^#\/?/, '');
  return path === '' ? [] : path.split('/').map((part) => decodeURIComponent(part));
}

/** The current route, updated on navigation. */
export function useRoute(): string[] {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const changed = () => setRoute(currentRoute());
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}

/** The address of a route. */
export const href = (...parts: string[]) => `#/${parts.map((part) => encodeURIComponent(part)).join('/')}`;

/** Goes to a route. */
export function navigate(...parts: string[]): void {
  location.hash = href(...parts);
}
