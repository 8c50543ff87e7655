/**
 * §7.1's type bucket of a path under the assets root: its first folder, or for a file at the top
 * level a bucket by its extension. No Node imports: the studio uses it too, so an upload lands
 * where a rebuild of the same file would put it.
 */
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

export function typeForPath(rel: string): string {
  const slash = rel.indexOf('/');
  if (slash > 0) return rel.slice(0, slash);
  const dot = rel.lastIndexOf('.');
  return (dot > 0 && BY_EXTENSION[rel.slice(dot + 1).toLowerCase()]) || 'generic';
}
