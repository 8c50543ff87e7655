/**
 * The asset record and every public shape built from it. Payloads are built here and only
 * here, so `register`, `get`, `search`, hook payloads and the sidecar cannot drift apart.
 */
import type { AssetPayload, AssetUrls } from './asset-payload.js';
import type { MediaFact, PictureColors } from './facets.js';
import { isJsonObject, type JsonObject, type JsonValue } from './json.js';
import { normaliseMetadata, type NormalisedMetadata } from './metadata.js';
import { sameTextKey, searchKey } from './text-keys.js';

export const SIDECAR_SUFFIX = '.asset.json';

/** The longest file name ext4, XFS, Btrfs and APFS take, in bytes. */
export const NAME_MAX_BYTES = 255;

/**
 * Why a file of this name cannot be an asset, or undefined when it can: its sidecar's name must
 * fit the file system too.
 */
export function assetNameProblem(name: string): string | undefined {
  const bytes = Buffer.byteLength(name);
  const room = NAME_MAX_BYTES - SIDECAR_SUFFIX.length;
  if (bytes > room)
    return (
      `its name is ${bytes} bytes long, so its sidecar (the name + "${SIDECAR_SUFFIX}") would pass ` +
      `the file system's ${NAME_MAX_BYTES}-byte limit: shorten the name to at most ${room} bytes`
    );
  return undefined;
}

/** One registry row, as the store hands it to the registry. */
export interface AssetRecord {
  projectId: string;
  uid: string;
  type: string;
  /** POSIX path relative to the assets root. */
  path: string;
  /** Full lowercase SHA-256 hex of the file bytes. */
  hash: string;
  bytes: number;
  meta: JsonObject;
  /** UTC, `YYYY-MM-DD HH:MM:SS` (the reference's SQLite format). */
  createdAt: string;
  updatedAt: string;
  /** Primary preview path string, as stored (`cache/thumbs/<uid>_256.png`), or null. */
  thumb: string | null;
  /** State of the preview job, when the asset has a preview (`queued`, `running`, `done`, `failed`). */
  previewStatus?: string | null;
  previewError?: string | null;
  /** A picture's colours, from its preview (not metadata); null until found or when none. */
  colors?: PictureColors | null;
}

export interface ProvenanceRecord {
  id: number;
  asset_uid: string;
  source: string;
  workflow_hash: string | null;
  commit_hash: string | null;
  inputs: JsonObject;
  c2pa_like: JsonObject;
  user_id: string | null;
  created_at: string;
}

export const sidecarRelPath = (relPath: string): string => relPath + SIDECAR_SUFFIX;

/** §1.6: the preview object, from `meta.preview` or synthesised from the thumb and thumbnails map. */
export function derivePreview(meta: JsonObject, thumb: string | null): JsonObject | undefined {
  let preview: JsonObject | undefined;
  if (isJsonObject(meta.preview)) preview = { ...meta.preview };
  else if (thumb) {
    preview = { kind: thumb.toLowerCase().endsWith('.json') ? 'waveform' : 'thumbnail', path: thumb };
  }
  if (preview && isJsonObject(meta.thumbnails)) {
    const thumbnails = meta.thumbnails;
    if (preview.paths === undefined) preview.paths = { ...thumbnails };
    const firstKey = Object.keys(thumbnails).sort()[0];
    if (preview.default === undefined && firstKey !== undefined)
      preview.default = thumbnails[firstKey] ?? null;
  }
  return preview;
}

export function buildLinks(record: AssetRecord, preview: JsonObject | undefined): JsonObject {
  const links: JsonObject = { file: record.path, sidecar: sidecarRelPath(record.path) };
  if (record.thumb) links.thumbnail = record.thumb;
  if (preview && preview.paths !== undefined) links.thumbnails = preview.paths;
  else if (preview && preview.path !== undefined) links.preview = preview.path;
  return links;
}

/** The metadata as returned: normalised, with a synthesised preview mirrored into it (§1.6). */
function outputMeta(record: AssetRecord): { meta: NormalisedMetadata; preview: JsonObject | undefined } {
  const meta = normaliseMetadata(record.meta);
  const preview = derivePreview(meta, record.thumb);
  if (preview && !isJsonObject(meta.preview)) meta.preview = preview;
  return { meta, preview };
}

/**
 * What a preview URL's `v` holds, so that it can be cached for good: the first 16 characters of
 * the bytes' hash, and for a video's poster frame (which can be set again) where it was taken.
 */
export function previewVersion(record: AssetRecord): string {
  const v = record.hash.slice(0, 16);
  const poster = isJsonObject(record.meta.preview) ? record.meta.preview.poster : undefined;
  return isJsonObject(poster) && typeof poster.at === 'number' ? `${v}-${Math.round(poster.at * 1000)}` : v;
}

/**
 * Where a client fetches the asset and its previews over HTTP (ours, beyond the reference).
 * Preview URLs carry the content hash, so they can be cached forever. An asset of a project other
 * than the server's default names its project in each URL (the routes read the default otherwise).
 */
function apiUrls(record: AssetRecord, preview: JsonObject | undefined, defaultProject: string): AssetUrls {
  const base = `/api/assets/${encodeURIComponent(record.uid)}`;
  const project =
    record.projectId === defaultProject ? '' : `project_id=${encodeURIComponent(record.projectId)}`;
  const url = (route: string, query = ''): string => {
    const search = [query, project].filter(Boolean).join('&');
    return search ? `${base}${route}?${search}` : `${base}${route}`;
  };
  const urls: AssetUrls = { self: url(''), file: url('/file'), sidecar: url('/sidecar') };
  const thumbnails =
    preview?.kind === 'thumbnail'
      ? preview.paths
      : (preview?.kind === 'video' || preview?.kind === 'model') && isJsonObject(preview.poster)
        ? record.meta.thumbnails
        : undefined;
  if (record.thumb && isJsonObject(thumbnails)) {
    const v = previewVersion(record);
    const sizes: Record<string, string> = {};
    for (const size of Object.keys(thumbnails)) sizes[size] = url('/thumbnail', `size=${size}&v=${v}`);
    urls.thumbnails = sizes;
    urls.thumbnail = sizes['256'] ?? Object.values(sizes)[0] ?? null;
    if (isJsonObject(preview?.animation)) urls.animation = url('/animation', `v=${v}`);
  } else if (record.thumb && preview?.kind === 'waveform') {
    urls.waveform = url('/waveform', `v=${record.hash.slice(0, 16)}`);
  }
  return urls;
}

/**
 * §2.9: the `/api/assets/*` JSON shape of one asset; `copies` is how many assets of its project
 * hold its bytes (itself included), which the record alone does not say; `defaultProject`, the
 * project the server's routes read when a request names none.
 */
export function serializeAsset(record: AssetRecord, copies: number, defaultProject: string): AssetPayload {
  const { meta, preview } = outputMeta(record);
  const out: AssetPayload = {
    id: record.uid,
    uid: record.uid,
    type: record.type,
    hash: record.hash,
    bytes: record.bytes,
    tags: meta.tags ?? [],
    license: meta.license ?? null,
    origin: meta.origin ?? null,
    version: meta.version ?? 1,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    project_id: record.projectId,
    metadata: meta,
    links: buildLinks(record, preview),
    sidecar: sidecarRelPath(record.path),
    path: record.path,
    urls: apiUrls(record, preview, defaultProject),
    copies,
  };
  if (record.thumb) out.thumb = record.thumb;
  if (preview) out.preview = preview;
  if (isJsonObject(meta.thumbnails)) out.thumbnails = meta.thumbnails;
  if (record.previewStatus) {
    out.preview_status = record.previewStatus;
    if (record.previewError) out.preview_error = record.previewError;
  }
  if (record.colors) out.colors = record.colors;
  return out;
}

/** §3: the sidecar document, keys in the reference's order. */
export function buildSidecar(record: AssetRecord, provenance: ProvenanceRecord | undefined): JsonObject {
  const { meta, preview } = outputMeta(record);
  const doc: JsonObject = {
    id: record.uid,
    uid: record.uid,
    type: record.type,
    path: record.path,
    hash: record.hash,
    bytes: record.bytes,
    tags: [...((meta.tags as JsonValue[] | undefined) ?? [])],
    license: meta.license ?? null,
    origin: meta.origin ?? null,
    version: meta.version ?? 1,
    created_at: record.createdAt,
    meta,
  };
  if (preview) doc.preview = preview;
  doc.links = buildLinks(record, preview);
  if (provenance) doc.provenance = provenance as unknown as JsonObject;
  return doc;
}

/**
 * The text the substring search looks in (§1.9 widened to the uid, as the gallery does): uid,
 * path, every top-level string value of meta and every string item of a top-level list.
 * Folded once here (see `searchKey`); fields are joined by newlines so a needle cannot match across two.
 */
export function searchText(uid: string, path: string, meta: JsonObject): string {
  const parts = [uid, path];
  for (const value of Object.values(meta)) {
    if (typeof value === 'string') parts.push(value);
    else if (Array.isArray(value)) for (const item of value) if (typeof item === 'string') parts.push(item);
  }
  // A font's family, read from the font by its preview: found by name whatever the file is called.
  const family = isJsonObject(meta.preview) ? meta.preview.family : undefined;
  if (typeof family === 'string') parts.push(family);
  return searchKey(parts.join('\n'));
}

/**
 * A picture's size and a sound's length as the store keeps them for sorting and bounds: from the
 * preview's facts (set when the preview is made), 0 for none. A value a hand-edited sidecar may
 * hold that is not a positive number up to 1e9 is none; pixels are whole (rounded half up, as
 * SQLite's round() does in migration 10).
 */
export function mediaFacts(meta: JsonObject): Record<MediaFact, number> {
  const preview = isJsonObject(meta.preview) ? meta.preview : {};
  const fact = (value: JsonValue | undefined): number =>
    typeof value === 'number' && value > 0 && value <= 1e9 ? value : 0;
  return {
    width: Math.round(fact(preview.width)),
    height: Math.round(fact(preview.height)),
    duration: fact(preview.duration),
  };
}

/** The forms the tag and licence filters compare against (see `sameTextKey`). */
export function filterKeys(meta: JsonObject): { tags: string[]; license: string | null } {
  const tags = Array.isArray(meta.tags)
    ? meta.tags.filter((t): t is string => typeof t === 'string').map((t) => sameTextKey(t.trim()))
    : [];
  const license = typeof meta.license === 'string' ? sameTextKey(meta.license.trim()) || null : null;
  return { tags: [...new Set(tags)], license };
}
