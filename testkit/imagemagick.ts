import { execFileSync } from 'node:child_process';

/**
 * Debian's ImageMagick 6 by its own name: a plain `convert` on PATH may be another program (a stand-in, or
 * ImageMagick 7's deprecated shim). `make test-service` installs it through deploy/install-packages.sh.
 */
export const IMAGEMAGICK = 'convert-im6.q16';

export function magick(args: string[], input?: Buffer): Buffer {
  return execFileSync(IMAGEMAGICK, args, { input, maxBuffer: 256 * 1024 * 1024, stdio: ['pipe', 'pipe', 'pipe'] });
}

export interface Frames {
  width: number;
  height: number;
  /** One RGBA buffer per frame, composed as a viewer shows it (GIF frames coalesced). */
  frames: Buffer[];
}

/**
 * The independent decoder of the pixel checks: every frame as 8-bit RGBA, fully transparent pixels zeroed
 * (their colour is not part of the picture).
 */
export function decodeWithImageMagick(bytes: Buffer, format: string, { autoOrient = false } = {}): Frames {
  // -auto-orient turns the pixels upright by the EXIF orientation, as both engines do with a JPEG. GIF frames
  // are composed onto the screen; +repage drops page offsets (a PNG's oFFs) that neither engine applies.
  const steps = [...(autoOrient ? ['-auto-orient'] : []), ...(format === 'gif' ? ['-coalesce'] : []), '+repage'];
  const size = magick([`${format}:-`, ...steps, '-format', '%w %h\\n', 'info:-'], bytes)
    .toString()
    .split('\n')[0]!;
  const [width, height] = size.split(' ').map(Number) as [number, number];
  const raw = magick([`${format}:-`, ...steps, '-depth', '8', 'rgba:-'], bytes);
  const frameBytes = width * height * 4;
  // Pages of different sizes (a multi-page TIFF, say) do not cut into frames of the first page's size.
  if (raw.length % frameBytes !== 0) throw new Error(`ImageMagick decoded frames of different sizes`);
  const frames: Buffer[] = [];
  for (let offset = 0; offset < raw.length; offset += frameBytes) {
    const frame = Buffer.from(raw.subarray(offset, offset + frameBytes));
    for (let i = 3; i < frame.length; i += 4) if (frame[i] === 0) frame.writeUInt32BE(0, i - 3);
    frames.push(frame);
  }
  return { width, height, frames };
}
