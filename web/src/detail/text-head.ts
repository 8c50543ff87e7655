/**
 * Reading the first bytes of a file as text, for the detail view of a data file, a script or a
 * note: which encoding they are in (UTF-8, UTF-16 with its byte-order mark, Shift_JIS as many
 * visual-novel scripts are, else Windows-1252), or that they are not text at all. No DOM or Node
 * imports (the node tests run it).
 */

export interface TextHead {
  text: string;
  /** The encoding's usual name, as the detail view shows it. */
  encoding: string;
}

/** A NUL among the first bytes means binary (git's rule, over the same 8,000 bytes). */
const SNIFF_BYTES = 8000;
/**
 * More control characters than this share of the text is not text (tab, newlines, form feed and
 * escape are text; C1 controls are what Windows-1252 makes of bytes it has no letter for).
 */
const MAX_CONTROL_SHARE = 0.02;

const LABELS: Record<string, string> = {
  'utf-8': 'UTF-8',
  'utf-16le': 'UTF-16 LE',
  'utf-16be': 'UTF-16 BE',
  shift_jis: 'Shift_JIS',
  'windows-1252': 'Windows-1252',
};

function mostlyPrintable(text: string): boolean {
  let controls = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const c0 = c < 0x20 && c !== 9 && c !== 10 && c !== 12 && c !== 13 && c !== 27;
    if (c0 || (c >= 0x7f && c <= 0x9f)) controls++;
  }
  return controls <= text.length * MAX_CONTROL_SHARE;
}

/**
 * The bytes decoded strictly, or undefined when they are not in that encoding. A head cut off
 * inside a character (`complete` false) may end in up to 3 bytes of it: those are dropped.
 */
function strictly(bytes: Uint8Array, encoding: string, complete: boolean): string | undefined {
  const decoder = new TextDecoder(encoding, { fatal: true });
  for (let cut = 0; cut <= (complete ? 0 : Math.min(3, bytes.length)); cut++) {
    try {
      return decoder.decode(bytes.subarray(0, bytes.length - cut));
    } catch {
      // Not this encoding, or cut inside a character: try one byte less.
    }
  }
  return undefined;
}

/**
 * The text of a file's first bytes, or undefined for a binary file. `complete` says whether the
 * bytes are the whole file (a head may end in the middle of a character).
 */
export function decodeTextHead(bytes: Uint8Array, complete: boolean): TextHead | undefined {
  const bom16 =
    bytes[0] === 0xff && bytes[1] === 0xfe
      ? 'utf-16le'
      : bytes[0] === 0xfe && bytes[1] === 0xff
        ? 'utf-16be'
        : '';
  const candidates = bom16
    ? [bom16]
    : bytes.subarray(0, SNIFF_BYTES).includes(0)
      ? []
      : ['utf-8', 'shift_jis', 'windows-1252'];
  for (const encoding of candidates) {
    // An odd UTF-16 head ends in half a unit: drop it before decoding.
    const usable = bom16 && bytes.length % 2 ? bytes.subarray(0, bytes.length - 1) : bytes;
    const text = strictly(usable, encoding, complete);
    if (text !== undefined && mostlyPrintable(text)) return { text, encoding: LABELS[encoding] ?? encoding };
  }
  return undefined;
}

/**
 * A JSON file written on one line (exported data, minified configs) laid out with two-space
 * indents; undefined when it already has lines of its own, or is not JSON (the text is shown as
 * it is).
 */
export function laidOutJson(text: string): string | undefined {
  if (text.length < 200 || text.split('\n', 4).length > 3) return undefined;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return undefined;
  }
}
