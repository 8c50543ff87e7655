/**
 * One asset as the API and the CLI's `--json` return it (§2.9; built by `serializeAsset`, and
 * only there). Types only, no Node imports: the studio reads the same definition
 * (`web/src/api.ts`), so a field added, renamed or retyped on the server shows in its type check.
 */
import type { PictureColors } from './facets.js';
import type { JsonObject } from './json.js';

/** Where a client fetches the asset and its previews over HTTP (ours, beyond the reference). */
export type AssetUrls = {
  self: string;
  file: string;
  sidecar: string;
  /** The 256 px thumbnail (or the only size there is). */
  thumbnail?: string | null;
  /** Size (`"256"`, `"512"`) → URL. */
  thumbnails?: { [size: string]: string };
  waveform?: string;
  /** An animation's played preview (an animated WebP of its frames, fitted in 512 px). */
  animation?: string;
};

export type AssetPayload = {
  id: string;
  uid: string;
  type: string;
  hash: string;
  bytes: number;
  tags: string[];
  license: string | null;
  origin: string | null;
  version: number;
  created_at: string;
  updated_at: string;
  project_id: string;
  metadata: JsonObject;
  links: JsonObject;
  sidecar: string;
  path: string;
  urls: AssetUrls;
  /**
   * How many assets of the project hold these bytes, this one included: 1 when it has no copy
   * (ours, beyond the reference; the `duplicates` filter finds the others).
   */
  copies: number;
  /** Primary preview path as stored (`cache/thumbs/<id>_256.png`). */
  thumb?: string;
  preview?: JsonObject;
  thumbnails?: JsonObject;
  preview_status?: string;
  preview_error?: string;
  /**
   * A picture's main colours (each at least 5 % of its opaque pixels, most first) and whether it
   * has transparent parts, once its preview has found them (ours, beyond the reference; the
   * `color` and `transparent` filters search them).
   */
  colors?: PictureColors;
};
