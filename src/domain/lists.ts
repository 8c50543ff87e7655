/**
 * Lists typed as text: "hero, promo" in a form or a flag, or `?tag=hero&tag=promo` repeated. No
 * Node imports: the studio splits what a designer types exactly as the API and the CLI do.
 */

/** Splits repeated and comma-separated values, trimmed, empties dropped (§2.2). */
export function splitList(values: readonly string[] | string | undefined): string[] {
  const list = typeof values === 'string' ? [values] : (values ?? []);
  return list
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

/** Search terms one query may hold (`q` repeated): each is one more stream to merge or row test. */
export const MAX_SEARCH_TERMS = 16;

/**
 * A search box's text as search terms, all of which must match: words split at white space, a
 * "double-quoted phrase" kept whole (an unclosed quote runs to the end). At most
 * MAX_SEARCH_TERMS: the longest (the most selective) are kept.
 */
export function searchTerms(text: string): string[] {
  const terms: string[] = [];
  for (const match of text.matchAll(/"([^"]*)"?|[^\s"]+/g)) {
    const term = (match[1] ?? match[0]).trim();
    if (term) terms.push(term);
  }
  if (terms.length <= MAX_SEARCH_TERMS) return terms;
  const kept = new Set([...terms].sort((a, b) => b.length - a.length).slice(0, MAX_SEARCH_TERMS));
  return terms.filter((term) => kept.delete(term));
}
