import type { FlipAxis } from './flip-bitmap';
import type { ImageMime } from './image-format';

/** What the event loop sends a flip thread. `input` is transferred, so the sender must not touch it after. */
export interface FlipTask {
  input: Uint8Array<ArrayBuffer>;
  mime: ImageMime;
  axis: FlipAxis;
  maxPixels: number;
}

export interface FlipTimings {
  decodeMs: number;
  flipMs: number;
  encodeMs: number;
}

/** Expected failures come back as values: an Error thrown across threads loses its type. */
export type FlipOutcome =
  | { ok: true; output: Uint8Array<ArrayBuffer>; width: number; height: number; timings: FlipTimings }
  | { ok: false; code: 'invalid_image' | 'too_many_pixels'; message: string };

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
