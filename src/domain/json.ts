/** JSON value types shared by every layer: metadata is arbitrary JSON chosen by users. */
export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The strings of a JSON array (a list of tags, of file names); none for anything else. */
export const stringsIn = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

/**
 * How deeply JSON sent to the registry (a body, metadata given as text) may nest objects and
 * arrays: far beyond what metadata needs, far below what the code that walks it (validation,
 * metadata's canonical form) can recurse through.
 */
export const MAX_JSON_DEPTH = 64;

/** The same for files (sidecars, settings): a sidecar holds metadata a level or two down. */
export const MAX_FILE_JSON_DEPTH = 2 * MAX_JSON_DEPTH;

/** Whether `text` nests objects and arrays deeper than `limit` (brackets inside strings not counted). */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/**
 * JSON text from a file people may edit (sidecars, settings): a leading byte-order mark, which
 * Windows Notepad and other editors save, is not part of the document (RFC 8259 §8.1 lets a
 * parser ignore it; `JSON.parse` does not). Nesting past MAX_FILE_JSON_DEPTH does not parse
 * either (a sidecar nested 20,000 deep overflowed the stack, and its file went unregistered).
 */
export function parseJsonText(text: string): unknown {
  if (nestsDeeperThan(text, MAX_FILE_JSON_DEPTH))
    throw new Error(`it nests objects or arrays more than ${MAX_FILE_JSON_DEPTH} levels deep`);
  return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
}

/** A JSON object column as stored: `{}` if it holds another value, `{raw}` if it does not parse. */
export function storedObject(text: string): JsonObject {
  try {
    const value: unknown = JSON.parse(text);
    return isJsonObject(value) ? value : {};
  } catch {
    return { raw: text };
  }
}

/**
 * Python orders strings by code point; JS's default sort compares UTF-16 units. The two differ
 * only where a surrogate (half of an astral character) meets a unit from U+E000 to U+FFFF: the
 * astral character is the greater code point.
 */
function byCodePoint(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xAstral = x >= 0xd800 && x <= 0xdfff;
    if (xAstral !== (y >= 0xd800 && y <= 0xdfff)) return xAstral ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/**
 * JSON text the way Python's `json.dumps(value, sort_keys=True, ensure_ascii=False)` writes it
 * (separators ", " and ": "). The reference's workflow hash is computed over this text, so the
 * same provenance gives the same hash in both implementations.
 */
export function pythonJsonDumps(value: JsonValue): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
  const keys = Object.keys(value).sort(byCodePoint);
  return `{${keys.map((k) => `${JSON.stringify(k)}: ${pythonJsonDumps(value[k] as JsonValue)}`).join(', ')}}`;
}
