/**
 * Clip Studio Paint documents (`.clip`), what many illustrators and visual-novel artists paint
 * in: a chain of chunks (`CSFCHUNK`, then `CHNKHead`, the layers' `CHNKExta` blocks, `CHNKSQLi`,
 * `CHNKFoot`; each an 8-byte name and a big-endian 64-bit length), whose `CHNKSQLi` chunk is a
 * whole SQLite database. Its `CanvasPreview` table holds a PNG of the flattened canvas, stored
 * for file browsers; its `Canvas` table the canvas's size. Only the chunk headers and that
 * database are read, never the layers. (The layout is CELSYS's, undocumented: taken from the
 * descriptions of those who read it back from saved files.) Worker side only.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';

const MAGIC = 'CSFCHUNK';
const SQLITE_CHUNK = 'CHNKSQLi';
const FOOTER_CHUNK = 'CHNKFoot';
const CHUNK_HEADER_BYTES = 16;

export interface ClipPreview {
  /** The flattened canvas as the document stores it for viewers (PNG, often smaller than the canvas). */
  png: Buffer;
  /** The canvas's own size (the preview's when the document does not say). */
  width: number;
  height: number;
}

/** Reads `length` bytes at `position`, refusing a file that ends before them. */
async function readAt(file: fs.FileHandle, position: number, length: number): Promise<Buffer> {
  const bytes = Buffer.alloc(length);
  const { bytesRead } = await file.read(bytes, 0, length, position);
  if (bytesRead < length) throw new Error('the file ends inside a chunk (cut short?)');
  return bytes;
}

/** The bytes of the document's SQLite chunk, found by walking the chunk headers. */
async function databaseChunk(file: fs.FileHandle, maxBytes: number): Promise<Buffer> {
  const { size } = await file.stat();
  const head = await readAt(file, 0, 24);
  if (head.toString('latin1', 0, 8) !== MAGIC) throw new Error(`it does not start with "${MAGIC}"`);
  // The first chunk's place (24 in every document seen), then chunk after chunk.
  let at = Number(head.readBigUInt64BE(16));
  while (at + CHUNK_HEADER_BYTES <= size) {
    const header = await readAt(file, at, CHUNK_HEADER_BYTES);
    const name = header.toString('latin1', 0, 8);
    const length = header.readBigUInt64BE(8);
    const body = at + CHUNK_HEADER_BYTES;
    if (!name.startsWith('CHNK')) throw new Error(`a chunk at byte ${at} has no chunk name`);
    if (name === FOOTER_CHUNK) break;
    if (length > BigInt(size - body)) throw new Error(`its ${name} chunk runs past the end of the file`);
    if (name === SQLITE_CHUNK) {
      if (length > BigInt(maxBytes))
        throw new Error(`its database is ${length} bytes, more than the ${maxBytes} previewed`);
      return readAt(file, body, Number(length));
    }
    at = body + Number(length);
  }
  throw new Error('it holds no database chunk, where the canvas preview is kept');
}

/** A number a table gave, when it is a positive size. */
const dimension = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value >= 1 ? Math.round(value) : undefined;

/** The canvas's size as the `Canvas` table gives it, if the document has one. */
function canvasSize(db: Database.Database): { CanvasWidth: unknown; CanvasHeight: unknown } | undefined {
  try {
    return db.prepare('SELECT CanvasWidth, CanvasHeight FROM Canvas LIMIT 1').get() as
      { CanvasWidth: unknown; CanvasHeight: unknown } | undefined;
  } catch {
    return undefined; // (then the preview's size)
  }
}

/**
 * The document's canvas preview and its canvas's size. The database is opened from a temporary
 * file, read-only: SQLite reads a damaged file safely, and a serialized copy in memory could be
 * read a few bytes past its end by a crafted one.
 */
export async function clipPreviewOf(source: string, maxBytes: number): Promise<ClipPreview> {
  let dbFile: string | undefined;
  try {
    const file = await fs.open(source, 'r');
    let chunk: Buffer;
    try {
      chunk = await databaseChunk(file, maxBytes);
    } finally {
      await file.close();
    }
    dbFile = path.join(
      os.tmpdir(),
      `areg-clip-${process.pid}-${crypto.randomBytes(6).toString('hex')}.sqlite`,
    );
    await fs.writeFile(dbFile, chunk, { mode: 0o600 });
    const db = new Database(dbFile, { readonly: true, fileMustExist: true });
    try {
      const preview = db
        .prepare('SELECT ImageData, ImageWidth, ImageHeight FROM CanvasPreview ORDER BY _PW_ID LIMIT 1')
        .get() as { ImageData: unknown; ImageWidth: unknown; ImageHeight: unknown } | undefined;
      if (!preview || !Buffer.isBuffer(preview.ImageData) || !preview.ImageData.length)
        throw new Error('it holds no canvas preview (saved without one?)');
      const canvas = canvasSize(db);
      const width = dimension(canvas?.CanvasWidth) ?? dimension(preview.ImageWidth) ?? 0;
      const height = dimension(canvas?.CanvasHeight) ?? dimension(preview.ImageHeight) ?? 0;
      return { png: preview.ImageData, width, height };
    } finally {
      db.close();
    }
  } catch (err) {
    throw new Error(`not a readable Clip Studio document: ${(err as Error).message}`);
  } finally {
    if (dbFile) await fs.rm(dbFile, { force: true });
  }
}
