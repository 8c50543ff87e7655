/**
 * Metadata rules of the reference (§1.4 normalisation, §1.7 duplicate merge, §1.8 bulk edit),
 * with its bugs fixed: a null tag is dropped (not "None"), a licence object `{id}` keeps its id,
 * and the registry (not each writer) owns the version counter.
 */
import { badRequest } from './errors.js';
import { isJsonObject, MAX_JSON_DEPTH, nestsDeeperThan, type JsonObject, type JsonValue } from './json.js';
import { sameTextKey } from './text-keys.js';

/** Keys the registry itself maintains inside `meta`; a full replace from a user keeps them. */
export const SYSTEM_META_KEYS = ['preview', 'thumbnails'] as const;

function tagText(value: JsonValue): string | undefined {
  if (value === null) return undefined;
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined; // objects and nested lists are not tags
}

/** Trim, drop empties, de-duplicate (by `sameTextKey`) keeping the first spelling and the order. */
export function dedupeTags(values: readonly JsonValue[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const value of values) {
    const text = tagText(value);
    if (!text) continue;
    const key = sameTextKey(text);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(text);
  }
  return out;
}

/** Tags from any stored shape: a list, or one scalar (never comma-split, as the reference). */
export function normaliseTags(value: JsonValue | undefined): string[] {
  if (value === undefined || value === null || value === '') return [];
  return dedupeTags(Array.isArray(value) ? value : [value]);
}

export function normaliseLicense(value: JsonValue): string | null {
  if (value === null) return null;
  if (typeof value === 'string') return value.trim() || null;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (isJsonObject(value) && typeof value.id === 'string') return value.id.trim() || null;
  return null;
}

export function normaliseVersion(value: JsonValue | undefined): number {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) return Number.parseInt(value, 10);
  return 1;
}

/** Metadata as stored and returned: any keys, these normalised. */
export type NormalisedMetadata = JsonObject & {
  tags: string[];
  license?: string | null;
  origin?: string;
  version: number;
};

/** §1.4: the shape every stored and returned `meta` has. */
export function normaliseMetadata(input: JsonObject): NormalisedMetadata {
  const out: NormalisedMetadata = { ...input, tags: [], version: 1 };
  out.tags = normaliseTags(input.tags);
  if ('license' in input) out.license = normaliseLicense(input.license ?? null);
  if ('origin' in input && input.origin !== null && input.origin !== undefined) {
    const origin = input.origin;
    out.origin = typeof origin === 'string' ? origin : JSON.stringify(origin);
  }
  out.version = normaliseVersion(input.version);
  return out;
}

/**
 * §1.7: what a re-registration of known content does to the stored metadata. Tags are unioned,
 * licence and every other given key replace the stored value.
 */
export function mergeMetadata(existing: JsonObject, updates: JsonObject): JsonObject {
  const merged: JsonObject = { ...existing };
  for (const [key, value] of Object.entries(updates)) {
    if (key === 'tags') {
      merged.tags = dedupeTags([...normaliseTags(existing.tags), ...normaliseTags(value)]);
    } else if (key === 'license') {
      merged.license = normaliseLicense(value);
    } else if ((key === 'preview' || key === 'thumbnails') && isJsonObject(value)) {
      merged[key] = { ...value };
    } else {
      merged[key] = value;
    }
  }
  return merged;
}

/** Normalised metadata without the keys the registry maintains: what a user edits. */
export function userMetadata(meta: JsonObject): JsonObject {
  const out = normaliseMetadata(meta);
  for (const key of SYSTEM_META_KEYS) delete out[key];
  return out;
}

/**
 * What a sidecar edited by hand makes of the stored metadata: the sidecar's (the user's edit
 * wins), with the keys the registry maintains kept from the store; undefined when its user
 * metadata is the stored one.
 */
export function metadataFromSidecar(stored: JsonObject, sidecar: JsonObject): JsonObject | undefined {
  if (sameJson(userMetadata(sidecar), userMetadata(stored))) return undefined;
  const merged = normaliseMetadata(sidecar);
  for (const key of SYSTEM_META_KEYS) if (stored[key] !== undefined) merged[key] = stored[key];
  return merged;
}

/** A full replace keeps what the registry maintains (previews) so a user edit cannot orphan them. */
export function replaceMetadata(existing: JsonObject, replacement: JsonObject): JsonObject {
  const out: JsonObject = { ...replacement };
  for (const key of SYSTEM_META_KEYS) {
    if (!(key in replacement) && existing[key] !== undefined) out[key] = existing[key];
  }
  return out;
}

export interface BulkEdit {
  /**
   * A tag renamed where it stands (compared as tags are: case and width folded); dropped where
   * the new name is there already (a merge).
   */
  renameTag?: { from: string; to: string };
  addTags?: readonly string[];
  removeTags?: readonly string[];
  /** undefined: unchanged; null or "": remove the licence; other: set. */
  license?: string | null;
}

/**
 * §1.8 `bulk_update_tags` for one asset: a rename (ours), add (case-insensitive no-dup), then
 * remove, then licence.
 */
export function applyBulkEdit(meta: JsonObject, edit: BulkEdit): JsonObject {
  const tags = edit.renameTag
    ? renamedTag(normaliseTags(meta.tags), edit.renameTag)
    : normaliseTags(meta.tags);
  const present = new Set(tags.map(sameTextKey));
  for (const raw of edit.addTags ?? []) {
    const tag = raw.trim();
    const key = sameTextKey(tag);
    if (!tag || present.has(key)) continue;
    present.add(key);
    tags.push(tag);
  }
  const remove = new Set((edit.removeTags ?? []).map((t) => sameTextKey(t.trim())).filter(Boolean));
  const out: JsonObject = { ...meta, tags: tags.filter((t) => !remove.has(sameTextKey(t))) };
  if (edit.license === null || edit.license === '') delete out.license;
  else if (edit.license !== undefined) out.license = edit.license.trim() || null;
  return out;
}

function renamedTag(tags: string[], { from, to }: { from: string; to: string }): string[] {
  const fromKey = sameTextKey(from.trim());
  const name = to.trim();
  // The new name there already as another tag: the old one merges into it.
  let placed = tags.some((t) => sameTextKey(t) === sameTextKey(name) && sameTextKey(t) !== fromKey);
  return tags.flatMap((tag) => {
    if (sameTextKey(tag) !== fromKey) return [tag];
    if (placed) return [];
    placed = true;
    return [name];
  });
}

/** Stable deep equality for JSON, used to skip writes (and version bumps) that change nothing. */
export function sameJson(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: JsonValue | undefined): string {
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isJsonObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** §6: folders lowercased (skipping `_meta`), then the file stem lowercased, de-duplicated in order. */
export function pathDerivedTags(relPath: string): string[] {
  const parts = relPath.split('/').filter(Boolean);
  const file = parts.pop() ?? '';
  const dot = file.lastIndexOf('.');
  const stem = dot > 0 ? file.slice(0, dot) : file;
  return dedupeTags([...parts.filter((p) => p !== '_meta'), stem].map((p) => p.toLowerCase()));
}

/**
 * Checks a user-supplied metadata object field by field, so a wrong type is a 400 that names the
 * field instead of a silently mangled value.
 */
export function assertValidMetadata(meta: JsonObject, where = 'metadata'): void {
  const { tags, license, origin, version } = meta;
  if (tags !== undefined && tags !== null) {
    const list = Array.isArray(tags) ? tags : [tags];
    if (list.some((t) => t !== null && typeof t === 'object')) {
      throw badRequest(
        `${where}.tags must be a list of strings (or one string); got ${JSON.stringify(tags)}.`,
      );
    }
  }
  if (
    license !== undefined &&
    license !== null &&
    typeof license !== 'string' &&
    !(isJsonObject(license) && typeof license.id === 'string')
  ) {
    throw badRequest(
      `${where}.license must be a string such as "CC-BY-4.0", null, or an object with a string "id"; got ${JSON.stringify(license)}.`,
    );
  }
  if (origin !== undefined && origin !== null && typeof origin === 'object') {
    throw badRequest(`${where}.origin must be a string; got ${JSON.stringify(origin)}.`);
  }
  if (
    version !== undefined &&
    version !== null &&
    !(typeof version === 'number' && Number.isInteger(version) && version >= 0) &&
    !(typeof version === 'string' && /^\s*\d+\s*$/.test(version))
  ) {
    throw badRequest(`${where}.version must be a non-negative whole number; got ${JSON.stringify(version)}.`);
  }
}

/**
 * §2.1: `metadata` may be an object or JSON text; anything else is a 400 with the reference's
 * messages.
 */
export function parseMetadataInput(raw: unknown): JsonObject {
  if (raw === null || raw === undefined) return {};
  let value: unknown = raw;
  if (typeof raw === 'string') {
    const text = raw.trim();
    if (!text) return {};
    if (nestsDeeperThan(text, MAX_JSON_DEPTH))
      throw badRequest(
        `metadata nests objects or arrays more than ${MAX_JSON_DEPTH} levels deep; flatten it.`,
      );
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw badRequest(`metadata must be valid JSON: ${(err as Error).message}`);
    }
    if (!isJsonObject(value)) throw badRequest('metadata JSON must decode to an object.');
  } else if (!isJsonObject(value)) {
    throw badRequest('metadata must be an object or JSON string.');
  }
  assertValidMetadata(value);
  return { ...value };
}
