/**
 * Every path that comes from a request passes through here: it must stay inside its root,
 * textually (no absolute path, no `..`) and physically (no symlink leading out).
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError, badRequest } from '../domain/errors.js';
import { statIfThere } from './if-there.js';

/** Normalises a user-supplied relative path to POSIX segments, or throws a 400 naming `field`. */
export function cleanRelativePath(input: string, field: string): string {
  if (input.includes('\0')) throw badRequest(`${field} must not contain NUL characters.`);
  const posix = input.replace(/\\/g, '/').trim();
  if (!posix) throw badRequest(`${field} must not be empty.`);
  if (posix.startsWith('/') || /^[A-Za-z]:/.test(posix) || posix.startsWith('~')) {
    throw badRequest(`${field} must be relative to the asset registry root; got ${JSON.stringify(input)}.`);
  }
  const segments = posix.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.some((s) => s === '..')) {
    throw badRequest(`${field} must not contain '..' segments; got ${JSON.stringify(input)}.`);
  }
  if (segments.length === 0) throw badRequest(`${field} must name a file or folder under the root.`);
  return segments.join('/');
}

export function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The real path of `p`, or of its deepest existing ancestor joined with the rest. */
export function realpathLoose(p: string): string {
  const missing: string[] = [];
  let current = path.resolve(p);
  for (;;) {
    try {
      // The native realpath(3) is one system call; the JS version lstat()s every component.
      return path.join(fs.realpathSync.native(current), ...missing.reverse());
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      const parent = path.dirname(current);
      if (parent === current) return path.join(current, ...missing.reverse());
      missing.push(path.basename(current));
      current = parent;
    }
  }
}

/** A 400: a path longer than the file system allows (`what` names it). */
export const tooLong = (what: string): AppError =>
  badRequest(
    `${what} is longer than the file system allows (a name of at most 255 bytes, a path of at most 4,096): shorten it.`,
  );

/** Throws {@link tooLong} for a path with a name over 255 bytes, or over 4,096 bytes in all. */
export function refuseTooLong(p: string, what: string): void {
  if (Buffer.byteLength(p) > 4096 || p.split(path.sep).some((name) => Buffer.byteLength(name) > 255))
    throw tooLong(what);
}

/** A 400 `not_a_folder`: a path has a file where it needs a folder (`what` says where). */
export const notAFolder = (what: string): AppError =>
  new AppError(400, 'not_a_folder', `${what}, not a folder: fix the path.`);

/**
 * The file standing at `target` or at one of the folders of its path (a file where a folder
 * goes), or undefined when the nearest thing there is a folder, or nothing is.
 */
export function fileInTheWay(target: string): string | undefined {
  for (let at = path.resolve(target); ; at = path.dirname(at)) {
    const stat = statIfThere(at);
    if (stat) return stat.isDirectory() ? undefined : at;
    if (path.dirname(at) === at) return undefined;
  }
}

/**
 * `realpathLoose` for a path from a request: one the file system cannot hold (a name over 255
 * bytes, a path over 4,096) is the caller's to shorten, and one through a file the caller's to
 * fix: a 400 naming `field`.
 */
export function realpathWithin(p: string, field: string): string {
  try {
    return realpathLoose(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENAMETOOLONG') throw tooLong(field);
    if (code === 'ENOTDIR') throw notAFolder(`${field} leads through ${fileInTheWay(p) ?? p}, a file`);
    throw err;
  }
}

/**
 * Resolves `relative` under `root` and proves it stays there after following symlinks.
 * Returns the absolute path and the cleaned POSIX relative path.
 */
export function resolveUnder(root: string, relative: string, field = 'path'): { abs: string; rel: string } {
  const rel = cleanRelativePath(relative, field);
  const abs = path.resolve(root, rel);
  const realRoot = realpathLoose(root);
  if (!isInside(path.resolve(root), abs) || !isInside(realRoot, realpathWithin(abs, field))) {
    throw badRequest(`${field} leads outside the asset registry root; got ${JSON.stringify(relative)}.`);
  }
  return { abs, rel };
}

/** The POSIX path of `abs` relative to `root` (both absolute). */
export function toRelPosix(root: string, abs: string): string {
  return path.relative(root, abs).split(path.sep).join('/');
}
