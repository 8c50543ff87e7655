/**
 * Hash routes: `#/` gallery (`#/?tag=hero…` with its filters, see gallery/query-url.ts),
 * `#/settings`, `#/asset/<id>` (the detail view over the gallery).
 */
import { useEffect, useState } from 'react';

export type Route = { view: 'gallery' } | { view: 'settings' } | { view: 'asset'; id: string };

export function parseRoute(hash: string): Route {
  const [path = ''] = hash.replace(/^#/, '').split('?');
  if (path === '/settings') return { view: 'settings' };
  const asset = /^\/asset\/(.+)$/.exec(path);
  if (asset?.[1]) return { view: 'asset', id: decodeURIComponent(asset[1]) };
  return { view: 'gallery' };
}

/** The gallery's URL with the filters it showed last, so leaving the detail view or the settings keeps them. */
let galleryHref = '#/';
export const rememberGalleryHref = (href: string): void => {
  galleryHref = href;
};
export const rememberedGalleryHref = (): string => galleryHref;

export const hrefFor = (route: Route): string =>
  route.view === 'settings'
    ? '#/settings'
    : route.view === 'asset'
      ? `#/asset/${encodeURIComponent(route.id)}`
      : galleryHref;

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = (): void => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

/** Goes to a route; `replace` puts it in place of the current history entry (Back skips it). */
export const navigate = (route: Route, replace = false): void => {
  if (replace) window.location.replace(hrefFor(route));
  else window.location.hash = hrefFor(route);
};
