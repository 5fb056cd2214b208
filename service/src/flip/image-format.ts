import { imageSize } from 'image-size';

export const imageMimes = ['image/jpeg', 'image/png', 'image/bmp', 'image/gif', 'image/tiff'] as const;

export type ImageMime = (typeof imageMimes)[number];

const mimeBySniffedType: Record<string, ImageMime> = {
  jpg: 'image/jpeg',
  png: 'image/png',
  bmp: 'image/bmp',
  gif: 'image/gif',
  tiff: 'image/tiff',
};

/** The image type named by a Content-Type header (parameters ignored), if the service handles it. */
export function parseImageMime(contentType: string | undefined): ImageMime | undefined {
  const essence = contentType?.split(';')[0]?.trim().toLowerCase();
  return imageMimes.find((mime) => mime === essence);
}

export interface ImageHeader {
  mime: ImageMime;
  width: number;
  height: number;
}

/**
 * Type and dimensions read from the file header alone, so a pixel bomb is refused before anything is
 * decoded. Undefined when the header is not one of ours or is unreadable.
 */
export function readImageHeader(bytes: Uint8Array): ImageHeader | undefined {
  try {
    // A Buffer view: image-size slices its input, which for a plain Uint8Array copies the whole file.
    const { type, width, height } = imageSize(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    const mime = type === undefined ? undefined : mimeBySniffedType[type];
    if (mime === undefined || !(width > 0) || !(height > 0)) return undefined;
    // image-size reads an OS/2 1.x BMP's 16-bit sizes as 32-bit ones: no size rather than a wrong one.
    if (mime === 'image/bmp' && bytes[14] === 12) return undefined;
    return { mime, width, height };
  } catch {
    return undefined;
  }
}
