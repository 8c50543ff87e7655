/** A live `GET /api/events` connection whose Server-Sent Events frames are collected as they come. */
import assert from 'node:assert/strict';

export interface SseFrame {
  id?: string;
  event: string;
  /** The hook envelope: `{seq, event, ts, project_id, data}`. */
  data: { seq?: number; event: string; ts: number; project_id: string; data: Record<string, any> };
}

export interface SseStream {
  frames: SseFrame[];
  /** Waits until `predicate` holds for the frames received so far. */
  until: (predicate: (frames: SseFrame[]) => boolean, timeoutMs?: number) => Promise<SseFrame[]>;
  close: () => Promise<void>;
}

export async function openStream(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const controller = new AbortController();
  const res = await fetch(`${url}/api/events`, { headers, signal: controller.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const frames: SseFrame[] = [];
  let buffer = '';
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const frame: Partial<SseFrame> = {};
          for (const line of block.split('\n')) {
            if (line.startsWith('id: ')) frame.id = line.slice(4);
            else if (line.startsWith('event: ')) frame.event = line.slice(7);
            else if (line.startsWith('data: ')) frame.data = JSON.parse(line.slice(6)) as SseFrame['data'];
          }
          if (frame.event && frame.data) frames.push(frame as SseFrame);
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    frames,
    async until(predicate, timeoutMs = 8000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(frames)) {
        if (Date.now() > deadline) assert.fail(`timed out; got ${frames.map((f) => f.event).join(', ')}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      return frames;
    },
    close: async () => {
      controller.abort();
      await pump;
    },
  };
}
