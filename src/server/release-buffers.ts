/**
 * Socket reads land in fresh 64 KiB buffers. Once a big upload's chunk is on disk its buffer is
 * garbage, but V8 frees it only at its next collection, and memory outside its heap alone
 * triggers one late: ~30 MB of such buffers piled up during a 2 GiB upload (the server's peak RSS
 * went over its 150 MB target). A young-generation collection every few MB of body frees them
 * while they are still young, for ~1 ms each.
 */
import type { Readable } from 'node:stream';
import v8 from 'node:v8';
import vm from 'node:vm';

type Collect = (options: { type: 'minor' | 'major'; execution: 'sync' | 'async' }) => void;

/** Bytes of body between two collections. */
const EVERY = 8 * 1024 * 1024;

let collect: Collect | undefined;

/** V8's `gc()`, made available at run time (Node documents `--expose-gc` as settable so). */
function collector(): Collect {
  if (!collect) {
    v8.setFlagsFromString('--expose-gc');
    collect = vm.runInNewContext('gc') as Collect;
  }
  return collect;
}

/** Collects the young generation every {@link EVERY} bytes that `body` delivers. */
export function releaseBuffersWhileReading(body: Readable): void {
  let sinceLast = 0;
  body.on('data', (chunk: Buffer) => {
    sinceLast += chunk.length;
    if (sinceLast < EVERY) return;
    sinceLast = 0;
    collector()({ type: 'minor', execution: 'sync' });
  });
}
