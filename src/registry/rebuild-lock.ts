/**
 * Async work one at a time per key, first come, first served. One rebuild at a time per open
 * registry: rebuilds started by the API, by the live-folder watcher or by a script in the same
 * process queue behind each other instead of scanning and committing the same files
 * concurrently. Moves, removals and undos likewise (their own key, see registry.ts).
 */
const tails = new WeakMap<object, Promise<void>>();

/** Runs `fn` once every earlier call with the same `key` has finished (whether it failed or not). */
export function runExclusive<T>(key: object, fn: () => Promise<T>): Promise<T> {
  const previous = tails.get(key) ?? Promise.resolve();
  const result = previous.then(fn);
  const tail = result.then(
    () => undefined,
    () => undefined,
  );
  tails.set(key, tail);
  void tail.then(() => {
    if (tails.get(key) === tail) tails.delete(key);
  });
  return result;
}
