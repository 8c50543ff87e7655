/** Human-readable output for a terminal. */
import type { JsonObject } from '../domain/json.js';

const list = (value: unknown): string => (Array.isArray(value) && value.length ? value.join(', ') : '(none)');

export function describeAsset(asset: JsonObject): string {
  return [
    `${String(asset.id)}  ${String(asset.path)}`,
    `  type: ${String(asset.type)}   bytes: ${String(asset.bytes)}   version: ${String(asset.version)}`,
    `  tags: ${list(asset.tags)}`,
    `  license: ${asset.license === null ? '(none)' : String(asset.license)}   origin: ${asset.origin === null ? '(none)' : String(asset.origin)}`,
    `  sidecar: ${String(asset.sidecar)}`,
  ].join('\n');
}

export function assetLine(asset: JsonObject): string {
  return `${String(asset.id)}  ${String(asset.type).padEnd(10)} ${String(asset.path)}  [${list(asset.tags)}]`;
}
