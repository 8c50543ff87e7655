/** Shapes from the product document that several tests check against. */
import assert from 'node:assert/strict';

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

/** The product's error envelope: `{ok: false, code, message, request_id}` (with that code when given). */
export function assertErrorEnvelope(body: any, status: number, code?: string): void {
  assert.equal(body.ok, false, `expected an error envelope, got ${JSON.stringify(body)}`);
  assert.equal(typeof body.code, 'string');
  assert.equal(typeof body.message, 'string');
  assert.ok(body.message.length > 0);
  assert.equal(typeof body.request_id, 'string');
  assert.ok(body.request_id.length > 0);
  if (code) assert.equal(body.code, code, `status ${status}: ${body.message}`);
}
