/** What a move said about the files its 3D models name, as a sentence for the studio's messages. */
import type { ResourcesMoved } from './api';

const listed = (items: string[]): string =>
  items.slice(0, 3).join('; ') + (items.length > 3 ? ` and ${items.length - 3} more` : '');

export function resourcesNote(resources: ResourcesMoved | undefined): string {
  if (!resources) return '';
  const { moved, not_moved: left } = resources;
  return (
    (moved.length ? ` With it: ${listed(moved.map((m) => m.path))}.` : '') +
    (left.length ? ` Not taken along: ${listed(left.map((l) => l.reason))}.` : '')
  );
}
