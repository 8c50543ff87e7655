/**
 * A server answer kept in state: asked again whenever `deps` change, and only the latest ask's
 * answer lands. A slower answer to an earlier ask (the asset shown before, read again for an
 * event just as the view moved on) never replaces the one now asked for, nor lands after unmount.
 */
import { useEffect, useState, type DependencyList } from 'react';

/**
 * `load`'s answer: undefined until the first arrives; on failure, `onError`'s value (undefined
 * by default; return `keep` to leave the last answer shown).
 */
export function useAnswer<T>(
  load: () => Promise<T>,
  deps: DependencyList,
  onError: (err: Error, keep: T | undefined) => T | undefined = () => undefined,
): T | undefined {
  const [answer, setAnswer] = useState<T>();
  useEffect(() => {
    let latest = true;
    load().then(
      (value) => latest && setAnswer(value),
      (err: Error) => latest && setAnswer((kept) => onError(err, kept)),
    );
    return () => {
      latest = false;
    };
    // (The caller's deps say when to ask again, as for useEffect.)
  }, deps);
  return answer;
}
