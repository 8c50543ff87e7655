/**
 * A credits sheet: assets with their licence, title and origin, grouped by licence, as a game's
 * credits, a publisher's licence audit or a CC BY attribution list needs them. CSV (RFC 4180,
 * for a spreadsheet) or Markdown (to paste into a CREDITS file).
 */
import type { AssetRecord } from '../domain/asset.js';
import { badRequest } from '../domain/errors.js';
import type { JsonValue } from '../domain/json.js';
import type { AssetRegistry, SearchInput } from './registry.js';

export const CREDITS_FORMATS = ['csv', 'md'] as const;
export type CreditsFormat = (typeof CREDITS_FORMATS)[number];

/** Assets one sheet may list (a selection's limit elsewhere too). */
export const MAX_CREDITED = 100_000;

export interface CreditRow {
  license: string | null;
  path: string;
  title: string | null;
  origin: string | null;
  id: string;
  sha256: string;
}

const text = (value: JsonValue | undefined): string | null =>
  typeof value === 'string' && value.trim() ? value.trim() : null;

/** The rows, licensed first by licence (any case alike), then the assets without one; by path within. */
export function creditRows(records: readonly AssetRecord[]): CreditRow[] {
  const rows = records.map((r) => ({
    license: text(r.meta.license),
    path: r.path,
    title: text(r.meta.title),
    origin: text(r.meta.origin),
    id: r.uid,
    sha256: r.hash,
  }));
  const licenceKey = (row: CreditRow): string => row.license?.toLowerCase() ?? '\u{10FFFF}';
  return rows.sort(
    (a, b) => licenceKey(a).localeCompare(licenceKey(b)) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
  );
}

const COLUMNS = ['license', 'path', 'title', 'origin', 'id', 'sha256'] as const;

/** A CSV field: quoted when it holds a comma, quote or line break (quotes doubled). */
function csvField(value: string | null): string {
  const s = value ?? '';
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function creditsCsv(rows: readonly CreditRow[]): string {
  const lines = [COLUMNS.join(','), ...rows.map((row) => COLUMNS.map((c) => csvField(row[c])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

/** Markdown: a section per licence ("No licence" last), an item per asset. */
export function creditsMarkdown(rows: readonly CreditRow[]): string {
  // One line per item: line breaks (a title's) become spaces; Markdown's marks are escaped.
  const escape = (s: string): string => s.replace(/\s+/g, ' ').replace(/([\\`*_[\]<>|])/g, '\\$1');
  // One section per licence, in the rows' order (creditRows puts "no licence" last).
  const sections = new Map<string, { name: string; items: string[] }>();
  for (const row of rows) {
    const key = row.license?.toLowerCase() ?? '';
    let section = sections.get(key);
    if (!section) {
      section = { name: row.license ? escape(row.license) : 'No licence', items: [] };
      sections.set(key, section);
    }
    const parts = [`\`${row.path.replace(/`/g, "'")}\``];
    if (row.title) parts.push(escape(row.title));
    if (row.origin) parts.push(`from ${escape(row.origin)}`);
    section.items.push(`- ${parts.join(' — ')}`);
  }
  const out = ['# Credits'];
  for (const { name, items } of sections.values()) out.push('', `## ${name} (${items.length})`, '', ...items);
  return `${out.join('\n')}\n`;
}

/** The credits sheet of the assets a search finds, in `format`. */
export async function creditsSheet(
  registry: AssetRegistry,
  input: SearchInput,
  format: CreditsFormat,
): Promise<{ sheet: string; assets: number }> {
  const ids = await registry.searchIds(input, MAX_CREDITED + 1);
  if (ids.length > MAX_CREDITED)
    throw badRequest(
      `The filters find more than ${MAX_CREDITED} assets: narrow them (a folder, a tag, a type) and make a sheet of each.`,
    );
  const rows = creditRows(registry.getMany(ids));
  return { sheet: format === 'md' ? creditsMarkdown(rows) : creditsCsv(rows), assets: rows.length };
}
