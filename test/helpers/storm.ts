/**
 * A storm of requests: `count` drawn from a list (seeded, so a run replays from its seed), sent
 * `clients` at a time. Returns the answers of 5xx; asserts that every kind of request succeeded at
 * least once (one that never did was not part of the storm: a test that cannot fail).
 */
import assert from 'node:assert/strict';
import { seededRandom } from '../../bench/tools.js';
import { makeImage } from './media.js';
import { api, startServer, type RunningServer } from './server.js';
import { makeWorkspace, type Workspace } from './workspace.js';

/** A storm's ground: `pictures` PNGs under `images/`, registered by a server; their ids. */
export async function stormWorkspace(
  prefix: string,
  pictures: number,
): Promise<{ ws: Workspace; server: RunningServer; ids: string[] }> {
  const ws = makeWorkspace(prefix);
  for (let i = 0; i < pictures; i++)
    ws.file(`data/assets/images/p${i}.png`, await makeImage(40 + i, 30, 'png'));
  const server = await startServer(ws.dir);
  const rebuilt = await api(server.url, 'POST', '/api/assets/rebuild', { wait_for_thumbs: true });
  assert.equal(rebuilt.status, 200, rebuilt.text);
  const found = await api(server.url, 'GET', `/api/assets/search?limit=${pictures}&fields=uid`);
  const ids = (found.body.items as Array<{ uid: string }>).map((a) => a.uid);
  assert.equal(ids.length, pictures);
  return { ws, server, ids };
}

/** What a request of a storm answers: an HTTP status (or a CLI command's, see `cliAnswer`) and text. */
export interface StormAnswer {
  status: number;
  text: string;
}

export interface Picker {
  one: <T>(list: readonly T[]) => T;
  /** About 40 % of the ids (at least one). */
  some: () => string[];
  chance: (p: number) => boolean;
}

export type StormRequest = (pick: Picker) => Promise<StormAnswer>;

/**
 * A request that reads the registered ids (of the server at `url()`) and hands them to `use`:
 * removed assets leave a storm's pool and ones brought back by an undo join it, so that most of
 * the storm is not aimed at assets gone long ago.
 */
export const refreshIdsRequest =
  (url: () => string, use: (ids: string[]) => void): StormRequest =>
  async () => {
    const found = await api(url(), 'GET', '/api/assets/search?limit=200&fields=uid');
    const registered = found.status === 200 ? (found.body.items as Array<{ uid: string }>) : [];
    // (None registered at that moment: the pool stays as it was, its requests refused 404.)
    if (registered.length) use(registered.map((a) => a.uid));
    return found;
  };

export async function storm(
  seed: number,
  count: number,
  requests: readonly StormRequest[],
  ids: () => readonly string[],
  clients = 8,
): Promise<string[]> {
  const random = seededRandom(seed);
  const one = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const pick: Picker = {
    one,
    some: () => {
      const chosen = ids().filter(() => random() < 0.4);
      return chosen.length ? chosen : [one(ids())];
    },
    chance: (p) => random() < p,
  };
  // Drawn up front (each request's own values too), so the run replays from its seed.
  const plan = Array.from({ length: count }, () => one(requests));
  const answers = new Map(requests.map((send): [StormRequest, number[]] => [send, []]));
  const failures: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < plan.length) {
        const send = plan[next++] as StormRequest;
        const res = await send(pick);
        answers.get(send)?.push(res.status);
        if (res.status >= 500) failures.push(`${res.status}: ${res.text.slice(0, 600)}`);
      }
    }),
  );
  const neverDone = [...answers].flatMap(([send, statuses]) =>
    statuses.some((status) => status < 300)
      ? []
      : [`request ${requests.indexOf(send)}: ${statuses.join(' ') || 'never sent'}`],
  );
  assert.deepEqual(neverDone, [], 'every kind of request succeeds at least once');
  return failures;
}
