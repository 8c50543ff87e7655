/** The Bulk Tag Editor's tag suggestions (TagListInput): what to offer, and what taking one does. */
import type { FacetCount } from '../../../src/domain/facets.js';
import { splitList } from '../../../src/domain/lists.js';

/** How many suggestions show at once. */
const SHOWN = 8;

/** The suggestions for what is typed: tags (with their counts) matching its last entry. */
export function tagSuggestions(text: string, tags: readonly FacetCount[]): FacetCount[] {
  const entries = text.split(',');
  const typed = (entries.pop() ?? '').trim().toLowerCase();
  if (!typed) return [];
  const chosen = new Set(splitList(entries.join(',')).map((tag) => tag.toLowerCase()));
  const name = (tag: FacetCount): string => (tag.label ?? tag.value).toLowerCase();
  const open = [...tags]
    .sort((a, b) => b.count - a.count)
    .filter((tag) => name(tag) !== typed && !chosen.has(name(tag)) && name(tag).includes(typed));
  const starting = open.filter((tag) => name(tag).startsWith(typed));
  return [...starting, ...open.filter((tag) => !name(tag).startsWith(typed))].slice(0, SHOWN);
}

/** The text with its last entry replaced by `tag`, ready for the next one. */
export const withTag = (text: string, tag: string): string => {
  const cut = text.lastIndexOf(',');
  return `${cut < 0 ? '' : `${text.slice(0, cut + 1)} `}${tag}, `.replace(/^ +/, '');
};
