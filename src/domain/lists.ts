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
