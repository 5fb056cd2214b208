// The image a flip script posts: IMAGE (default: the service's bundled sample) and its format, picked by the
// file's extension. Each script open()s IMAGE itself: k6 resolves relative paths against the calling script.

/** @type {Record<string, { type: string, magic: number[][] }>} */
const FORMATS = {
  jpg: { type: 'image/jpeg', magic: [[0xff, 0xd8, 0xff]] },
  jpeg: { type: 'image/jpeg', magic: [[0xff, 0xd8, 0xff]] },
  png: { type: 'image/png', magic: [[0x89, 0x50, 0x4e, 0x47]] },
  gif: { type: 'image/gif', magic: [[0x47, 0x49, 0x46, 0x38]] },
  bmp: { type: 'image/bmp', magic: [[0x42, 0x4d]] },
  tif: {
    type: 'image/tiff',
    magic: [
      [0x49, 0x49, 0x2a, 0x00],
      [0x4d, 0x4d, 0x00, 0x2a],
    ],
  },
  tiff: {
    type: 'image/tiff',
    magic: [
      [0x49, 0x49, 0x2a, 0x00],
      [0x4d, 0x4d, 0x00, 0x2a],
    ],
  },
};

// IMAGE is relative to the directory k6 runs in (open() alone would resolve it against the script).
export const IMAGE = __ENV.IMAGE
  ? __ENV.IMAGE.startsWith('/') || !__ENV.PWD
    ? __ENV.IMAGE
    : `${__ENV.PWD}/${__ENV.IMAGE}`
  : '../service/assets/sample.jpg';

const format = FORMATS[IMAGE.slice(IMAGE.lastIndexOf('.') + 1).toLowerCase()];
if (!format) throw new Error(`IMAGE must end in one of .${Object.keys(FORMATS).join(', .')}: ${IMAGE}`);
export const FORMAT = format;

/**
 * @param {{ magic: number[][] }} format
 * @param {ArrayBuffer | string | null} body
 * @returns {boolean} whether the body is a non-empty image of that format
 */
export function isImageOf(format, body) {
  if (!(body instanceof ArrayBuffer) || body.byteLength === 0) return false;
  const head = new Uint8Array(body, 0, Math.min(4, body.byteLength));
  return format.magic.some((sig) => sig.every((byte, i) => head[i] === byte));
}
