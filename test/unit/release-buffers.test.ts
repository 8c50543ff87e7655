/**
 * A big body's chunks, once consumed, must not pile up as garbage until V8 happens to collect:
 * the server's peak memory during a 2 GiB upload depends on it (bench/memory.ts).
 */
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import { releaseBuffersWhileReading } from '../../src/server/release-buffers.js';

test('the buffers of a streamed body are freed as it is read, not left to pile up', async () => {
  // 256 MB in fresh 64 KiB buffers, as socket reads deliver them, into a sink that keeps none.
  let made = 0;
  const body = new Readable({
    read() {
      if (made >= 256 * 1024 * 1024) return void this.push(null);
      made += 65536;
      this.push(Buffer.alloc(65536, made & 0xff));
    },
  });
  releaseBuffersWhileReading(body);
  let peak = 0;
  const sink = new Writable({
    write(_chunk: Buffer, _encoding, done) {
      peak = Math.max(peak, process.memoryUsage().arrayBuffers);
      setImmediate(done);
    },
  });
  await pipeline(body, sink);
  // Left to V8, ~33 MB of them were alive at once here; collected every 8 MB, under 12.
  assert.ok(peak < 20 * 1024 * 1024, `peak of live buffers ${(peak / 1048576).toFixed(1)} MB`);
});
