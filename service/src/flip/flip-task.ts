import type { FlipAxis } from './flip-bitmap';
import type { ImageMime } from './image-format';

/** What the event loop sends a flip engine. `input` may be transferred: the sender must not touch it after. */
export interface FlipTask {
  input: Uint8Array<ArrayBuffer>;
  mime: ImageMime;
  axis: FlipAxis;
  maxPixels: number;
  /** JPEG output quality, 1–100; the lossless formats ignore it. */
  quality: number;
}

/** Milliseconds per stage; an engine that fuses the stages (sharp) reports only the total. */
export interface FlipTimings {
  totalMs: number;
  decodeMs?: number;
  flipMs?: number;
  encodeMs?: number;
}

/** Expected failures come back as values: an Error thrown across threads loses its type. */
export type FlipOutcome =
  | { ok: true; output: Uint8Array<ArrayBuffer>; width: number; height: number; timings: FlipTimings }
  | { ok: false; code: FlipRefusal; message: string };

/** The 4xx codes an engine may answer with. */
export type FlipRefusal = 'invalid_image' | 'too_many_pixels' | 'unsupported_image' | 'image_too_complex';

/** Runs flip tasks somewhere (flip threads, libvips' threads); `signal` asks it to give a task up. */
export interface FlipRunner {
  run(task: FlipTask, signal: AbortSignal): Promise<FlipOutcome>;
  close(): Promise<void>;
}

/**
 * The bytes in an ArrayBuffer of their own, safe to transfer to another thread. Small Buffers share Node's
 * allocation pool; transferring that ArrayBuffer would detach the pool itself.
 */
export function ownedBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const { buffer } = bytes;
  if (buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength) {
    return new Uint8Array(buffer);
  }
  return new Uint8Array(bytes);
}
