/** Human-readable output for a terminal. */
import { isJsonObject, type JsonObject, type JsonValue } from '../domain/json.js';
import { mediaDetails, mediaSize } from '../domain/media-facts.js';

const text = (value: JsonValue | undefined): string =>
  value === null || value === undefined
    ? '(none)'
    : typeof value === 'object'
      ? JSON.stringify(value)
      : String(value);

const list = (value: JsonValue | undefined): string =>
  Array.isArray(value) && value.length ? value.map((v) => text(v)).join(', ') : '(none)';

export function describeAsset(asset: JsonObject): string {
  const details = mediaDetails(previewOf(asset));
  return [
    `${text(asset.id)}  ${text(asset.path)}`,
    `  type: ${text(asset.type)}   bytes: ${text(asset.bytes)}   version: ${text(asset.version)}`,
    ...(details ? [`  media: ${details}`] : []),
    `  tags: ${list(asset.tags)}`,
    `  license: ${text(asset.license)}   origin: ${text(asset.origin)}`,
    `  sidecar: ${text(asset.sidecar)}`,
    ...(typeof asset.copies === 'number' && asset.copies > 1
      ? [`  copies: ${asset.copies} assets hold these bytes (search --hash ${text(asset.hash)})`]
      : []),
  ].join('\n');
}

/** The preview's facts of a payload, if it has a preview. */
const previewOf = (asset: JsonObject): JsonObject | undefined =>
  isJsonObject(asset.preview) ? asset.preview : undefined;

/** One line of a listing; a picture's size or a sound's length after the path when known. */
export function assetLine(asset: JsonObject): string {
  const size = mediaSize(previewOf(asset));
  return `${text(asset.id)}  ${text(asset.type).padEnd(10)} ${text(asset.path)}${size ? `  (${size})` : ''}  [${list(asset.tags)}]`;
}
