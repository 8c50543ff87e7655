/** JSON value types shared by every layer: metadata is arbitrary JSON chosen by users. */
export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * JSON text from a file people may edit (sidecars, settings): a leading byte-order mark, which
 * Windows Notepad and other editors save, is not part of the document (RFC 8259 §8.1 lets a
 * parser ignore it; `JSON.parse` does not).
 */
export function parseJsonText(text: string): unknown {
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
