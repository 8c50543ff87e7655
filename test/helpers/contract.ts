/** Shapes from the product document that several tests check against. */

/** Sidecar keys in the reference order (§1.5); `provenance` is last when the asset has one. */
export const SIDECAR_KEYS = [
  'id',
  'uid',
  'type',
  'path',
  'hash',
  'bytes',
  'tags',
  'license',
  'origin',
  'version',
  'created_at',
  'meta',
  'links',
  'provenance',
] as const;

/** The same keys for an asset without provenance. */
export const SIDECAR_KEYS_NO_PROVENANCE = SIDECAR_KEYS.slice(0, -1);

/** The reference's four registry hooks (§5.1), in its order. */
export const REFERENCE_EVENTS = [
  'asset_registered',
  'asset_meta_updated',
  'asset_removed',
  'asset_sidecar_written',
] as const;
