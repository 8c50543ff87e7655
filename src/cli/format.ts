/** Human-readable output for a terminal. */
import type { JsonObject, JsonValue } from '../domain/json.js';

const text = (value: JsonValue | undefined): string =>
  value === null || value === undefined
    ? '(none)'
    : typeof value === 'object'
      ? JSON.stringify(value)
      : String(value);

const list = (value: JsonValue | undefined): string =>
  Array.isArray(value) && value.length ? value.map((v) => text(v)).join(', ') : '(none)';

export function describeAsset(asset: JsonObject): string {
  return [
    `${text(asset.id)}  ${text(asset.path)}`,
    `  type: ${text(asset.type)}   bytes: ${text(asset.bytes)}   version: ${text(asset.version)}`,
    `  tags: ${list(asset.tags)}`,
    `  license: ${text(asset.license)}   origin: ${text(asset.origin)}`,
    `  sidecar: ${text(asset.sidecar)}`,
    ...(typeof asset.copies === 'number' && asset.copies > 1
      ? [`  copies: ${asset.copies} assets hold these bytes (search --hash ${text(asset.hash)})`]
      : []),
  ].join('\n');
}

export function assetLine(asset: JsonObject): string {
  return `${text(asset.id)}  ${text(asset.type).padEnd(10)} ${text(asset.path)}  [${list(asset.tags)}]`;
}
