/**
 * What a path under the assets root means to the registry: whether the scan passes a name over,
 * and §7.1's type bucket. No Node imports: the studio uses it too, so an upload skips and types
 * files as a rebuild of the same files would.
 */
const JUNK = new Set(['thumbs.db', 'desktop.ini', 'ehthumbs.db', '.ds_store']);

/** Whether a name is passed over wherever it appears: hidden names and OS junk. */
export function isSkippedName(name: string): boolean {
  return name.startsWith('.') || JUNK.has(name.toLowerCase());
}

const BY_EXTENSION: Readonly<Record<string, string>> = {
  png: 'images',
  jpg: 'images',
  jpeg: 'images',
  webp: 'images',
  bmp: 'images',
  gif: 'images',
  wav: 'audio',
  mp3: 'audio',
  ogg: 'audio',
  flac: 'audio',
  json: 'json',
};

/** The first folder of a path, or for a file at the top level a bucket by its extension. */
export function typeForPath(rel: string): string {
  const slash = rel.indexOf('/');
  if (slash > 0) return rel.slice(0, slash);
  const dot = rel.lastIndexOf('.');
  return (dot > 0 && BY_EXTENSION[rel.slice(dot + 1).toLowerCase()]) || 'generic';
}
