/**
 * Undoable changes: what an edit did to an asset's metadata, as the state of each key it touched
 * before and after. Undo puts the "before" states back only where every touched key still holds
 * its "after" state: an asset edited again since (by someone, a script, a hand edit of its
 * sidecar) is left as it is. Keys not touched (a preview's facts landing, a later edit of another
 * key) do not stand in the way. No Node imports (the studio shows summaries).
 */
import type { JsonObject, JsonValue } from './json.js';
import { sameJson, type BulkEdit } from './metadata.js';

/** `undo` takes a change back; `redo` takes an undo back. */
export type ChangeKind =
  'edit' | 'bulk_edit' | 'tag_rename' | 'move' | 'remove' | 'import' | 'upload' | 'undo' | 'redo';

/**
 * What a change's items hold: metadata keys; (a move) the file's path under the key `path`; or
 * (a removal, an import, an upload) the asset's row under the key `record`. An undo has the subject of the change it
 * takes back.
 */
export type ChangeSubject = 'metadata' | 'path' | 'record';

/** A change as the change log keeps it (store/change-log.ts). */
export interface ChangeRecord {
  id: number;
  project_id: string;
  kind: ChangeKind;
  subject: ChangeSubject;
  summary: string;
  created_at: string;
  /** Assets it changed. */
  assets: number;
  /** The change this undo took back. */
  undo_of: number | null;
  /** The undo that took this change back. */
  undone_by: number | null;
}

/** A change as the API and the CLI's JSON show it. */
export function changePayload(change: ChangeRecord) {
  return {
    id: change.id,
    kind: change.kind,
    summary: change.summary,
    assets: change.assets,
    created_at: change.created_at,
    undo_of: change.undo_of,
    undone_by: change.undone_by,
    undoable: change.undone_by === null && change.assets > 0,
  };
}

/** What undoing `change` is: a redo for an undo, else an undo, with its summary ("Undo: …"). */
export function undoOf(change: ChangeRecord): NewChange & { kind: 'undo' | 'redo' } {
  const what = change.summary.replace(/^(Undo|Redo): /, '');
  const { subject, id: undoOf } = change;
  return change.kind === 'undo'
    ? { kind: 'redo', subject, summary: `Redo: ${what}`, undoOf }
    : { kind: 'undo', subject, summary: `Undo: ${what}`, undoOf };
}

/** An undo of part of a change (`n` of its assets, from one asset's history), named so. */
export const partOf = (undo: NewChange, of: ChangeRecord, n: number | undefined): NewChange =>
  n === undefined ? undo : { ...undo, summary: `${undo.summary} (${n} of its ${of.assets} assets)` };

/** What a removal of `n` assets is called in the history. */
export const removalSummary = (n: number, deleteFiles = false): string =>
  `${deleteFiles ? 'Delete' : 'Remove'} ${n} asset${n === 1 ? '' : 's'} (files ${deleteFiles ? 'to the trash' : 'kept'})`;

/** A change about to be recorded. */
export interface NewChange {
  kind: ChangeKind;
  subject?: ChangeSubject;
  summary: string;
  undoOf?: number;
}

/** The item of a move: the path before and after. */
export const pathStates = (from: string, to: string): { before: KeyStates; after: KeyStates } => ({
  before: { path: [from] },
  after: { path: [to] },
});

/** The path a move item's states hold. */
export const pathIn = (states: KeyStates): string | undefined => {
  const value = states.path?.[0];
  return typeof value === 'string' ? value : undefined;
};

/** A change in one asset's history, as the API and the CLI show it: with that asset's values. */
export const assetChangePayload = (change: ChangeRecord, before: KeyStates, after: KeyStates) => ({
  ...changePayload(change),
  before: readableStates(before),
  after: readableStates(after),
});

/** Per metadata key: `[]` when the key was absent, `[value]` when present. */
export type KeyStates = Record<string, [] | [JsonValue]>;

// Moves with every change: not something an edit sets, so not something undo compares or restores.
const UNTRACKED = new Set(['version']);

const stateOf = (meta: JsonObject, key: string): [] | [JsonValue] =>
  key in meta && meta[key] !== undefined ? [meta[key]] : [];

/** The keys `after` differs from `before` in, with both states; undefined when none does. */
export function keyChanges(
  before: JsonObject,
  after: JsonObject,
): { before: KeyStates; after: KeyStates } | undefined {
  const was: KeyStates = {};
  const now: KeyStates = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (UNTRACKED.has(key)) continue;
    const from = stateOf(before, key);
    const to = stateOf(after, key);
    if (sameJson(from, to)) continue;
    was[key] = from;
    now[key] = to;
  }
  return Object.keys(now).length ? { before: was, after: now } : undefined;
}

/** Whether every key of `states` still holds that state in `meta`. */
export const holdsStates = (meta: JsonObject, states: KeyStates): boolean =>
  Object.entries(states).every(([key, state]) => sameJson(stateOf(meta, key), state));

/** `meta` with these keys set back to `states` (absent ones removed). */
export function withStates(meta: JsonObject, states: KeyStates): JsonObject {
  const out: JsonObject = { ...meta };
  for (const [key, state] of Object.entries(states)) {
    if (state.length) out[key] = state[0];
    else delete out[key];
  }
  return out;
}

/** The states as a reader sees them: each key's value, null where it was absent. */
export function readableStates(states: KeyStates): JsonObject {
  const out: JsonObject = {};
  for (const [key, state] of Object.entries(states)) out[key] = state.length ? state[0] : null;
  return out;
}

/** One value as a reader sees it in a line: a list joined, absent as "—", long ones cut. */
function shown(key: string, value: JsonValue): string {
  if (key === 'record') return value === null ? 'not registered' : 'registered';
  if (value === null) return '—';
  if (Array.isArray(value) && value.every((v) => typeof v === 'string'))
    return value.length ? value.join(', ') : '(none)';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

/** What a change did to one asset, a line per key: "tags: forest → forest, hero". */
export function describeStates(before: JsonObject, after: JsonObject): string[] {
  return Object.keys(after).map(
    (key) => `${key}: ${shown(key, before[key] ?? null)} → ${shown(key, after[key] ?? null)}`,
  );
}

const named = (noun: string, list: readonly string[]): string =>
  `${noun}${list.length === 1 ? '' : 's'} ${list.join(', ')}`;

/** One line saying what a bulk edit does: "Add tags hero, promo; clear license". */
export function describeBulkEdit(edit: BulkEdit): string {
  const parts: string[] = [];
  if (edit.renameTag) parts.push(`rename tag ${edit.renameTag.from} to ${edit.renameTag.to}`);
  if (edit.addTags?.length) parts.push(`add ${named('tag', edit.addTags)}`);
  if (edit.removeTags?.length) parts.push(`remove ${named('tag', edit.removeTags)}`);
  if (edit.license === null || edit.license === '') parts.push('clear license');
  else if (edit.license !== undefined) parts.push(`set license ${edit.license}`);
  const line = parts.join('; ');
  return line.charAt(0).toUpperCase() + line.slice(1);
}
