// Per-request timeline of a flip.js run, read from k6's raw NDJSON output (--out json): the
// summary only keeps aggregates, the raw samples keep each request's send and reply times.
import { readFileSync } from 'node:fs';

export interface FlipRequest {
  vu: string;
  sentMs: number;
  replyMs: number;
  servedBy: string;
}

interface Point {
  type: string;
  metric: string;
  data: { value: number; tags?: Record<string, string> };
}

/** One entry per VU (flip.js sends one request each), in reply order. */
export function flipTimeline(rawNdjson: string): FlipRequest[] {
  const byVu = new Map<string, Partial<FlipRequest>>();
  for (const line of readFileSync(rawNdjson, 'utf8').split('\n')) {
    if (!line.includes('"flip_')) continue;
    const point = JSON.parse(line) as Point;
    const vu = point.data.tags?.vu;
    if (point.type !== 'Point' || vu === undefined) continue;
    const entry = byVu.get(vu) ?? { vu };
    if (point.metric === 'flip_sent_at') entry.sentMs = point.data.value;
    if (point.metric === 'flip_reply_at') {
      entry.replyMs = point.data.value;
      entry.servedBy = point.data.tags?.served_by ?? '-';
    }
    byVu.set(vu, entry);
  }
  return [...byVu.values()]
    .filter((r): r is FlipRequest => r.sentMs !== undefined && r.replyMs !== undefined)
    .sort((a, b) => a.replyMs - b.replyMs);
}
