/**
 * Pictures that look alike: the assets of a project whose fingerprints (previews/picture-hash.ts)
 * differ from one asset's by at most a few bits. Resized, re-encoded, cropped a little, retouched
 * or recoloured copies come out within about 10 of the 64 bits; unrelated pictures near 32.
 */
import { conflict } from '../domain/errors.js';
import type { AssetRecord } from '../domain/asset.js';
import type { AssetPayload } from '../domain/asset-payload.js';
import { isPicturePath } from '../previews/kinds.js';
import type { SqliteStore } from '../store/sqlite-store.js';
import type { AssetRegistry } from './registry.js';

export const DEFAULT_MAX_DISTANCE = 10;
/** Beyond a third of the bits, "similar" means unrelated. */
export const MAX_DISTANCE = 20;
export const DEFAULT_LIMIT = 24;
export const MAX_LIMIT = 200;

export interface SimilarPicture {
  record: AssetRecord;
  /** Bits of the 64 that differ: 0 is the same picture to the eye. */
  distance: number;
}

export interface SimilarPictures {
  dhash: string;
  /** Every picture within the distance (the list may stop before). */
  total: number;
  items: SimilarPicture[];
}

/**
 * Why an asset has no fingerprint to compare, as a message saying what to do: `no_fingerprint`,
 * or `fingerprint_pending` when it will have one soon. `dhash` is null before one is taken, ''
 * when its thumbnail could not give one.
 */
function noFingerprint(record: AssetRecord, dhash: string | null): Error {
  const name = `${record.uid} (${record.path})`;
  let why: string;
  // Soon to have one (a client may ask again): its preview, or fingerprinting its thumbnail.
  let pending = false;
  if (!isPicturePath(record.path))
    why = `is not a picture: only pictures (PNG, JPEG, WebP, PSD, …) are compared`;
  else if (record.previewStatus === 'failed')
    why = `has no preview (${record.previewError ?? 'it failed'}): fix the file, then requeue its preview`;
  else if (record.previewStatus !== 'done') {
    why = 'is waiting for its preview, which fingerprints it: try again when the preview is done';
    pending = true;
  } else if (dhash === '')
    why =
      'has no fingerprint: its thumbnail could not be read. Requeue its preview (POST /api/previews/requeue) to make both';
  else {
    why = 'is being fingerprinted from its thumbnail: try again in a moment';
    pending = true;
  }
  return conflict(pending ? 'fingerprint_pending' : 'no_fingerprint', `Asset ${name} ${why}.`);
}

/** An asset's fingerprint; a 409 saying why and what to do when it has none. */
export function fingerprintOf(store: SqliteStore, record: AssetRecord): string {
  const dhash = store.pictureHash(record.projectId, record.uid);
  if (!dhash) throw noFingerprint(record, dhash);
  return dhash;
}

/** The pictures of `record`'s project within `maxDistance` bits of it, nearest first, `limit` of them. */
export function similarPictures(
  store: SqliteStore,
  record: AssetRecord,
  options: { maxDistance: number; limit: number },
): SimilarPictures {
  const dhash = fingerprintOf(store, record);
  const matches = store.pictureIndex(record.projectId).near(dhash, options.maxDistance);
  const uids = store.uidsOfRows(matches.map((m) => m.id));
  // Nearest first, as matched; the asset itself left out.
  const distances = new Map<string, number>();
  for (const { id, distance } of matches) {
    const uid = uids.get(id);
    if (uid !== undefined && uid !== record.uid) distances.set(uid, distance);
  }
  const shown = [...distances.keys()].slice(0, options.limit);
  const items = store
    .getMany(record.projectId, shown)
    .map((found) => ({ record: found, distance: distances.get(found.uid) ?? 0 }));
  return { dhash, total: distances.size, items };
}

/** The answer of `GET /api/assets/{id}/similar` (and the CLI's `similar --json`). */
export interface SimilarReport {
  ok: true;
  uid: string;
  dhash: string;
  max_distance: number;
  total: number;
  items: Array<AssetPayload & { distance: number; same_bytes: boolean }>;
}

export function similarReport(
  registry: AssetRegistry,
  store: SqliteStore,
  id: string,
  options: { maxDistance?: number; limit?: number },
): SimilarReport {
  const record = registry.require(id);
  const maxDistance = options.maxDistance ?? DEFAULT_MAX_DISTANCE;
  const found = similarPictures(store, record, { maxDistance, limit: options.limit ?? DEFAULT_LIMIT });
  return {
    ok: true,
    uid: record.uid,
    dhash: found.dhash,
    max_distance: maxDistance,
    total: found.total,
    items: found.items.map(({ record: other, distance }) => ({
      ...registry.serialize(other),
      distance,
      same_bytes: other.hash === record.hash,
    })),
  };
}
