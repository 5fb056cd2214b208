import assert from 'node:assert/strict';
import sharp from 'sharp';
import { Jimp } from 'jimp';
import type { FlipAxis } from '../service/src/flip/flip-bitmap';

export interface Rgba {
  width: number;
  height: number;
  data: Buffer;
}

/**
 * A smooth RGBA pattern that every flip axis changes (red runs along x, green along y, blue along x·y), with no
 * hard edge for JPEG to ring on.
 */
export function pattern(width: number, height: number, colours = 256): Rgba {
  const data = Buffer.alloc(width * height * 4);
  const level = (value: number) => Math.floor((value * colours) / 256) * Math.floor(256 / colours);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const offset = (y * width + x) * 4;
      data[offset] = level(Math.round((255 * x) / Math.max(1, width - 1)));
      data[offset + 1] = level(Math.round((255 * y) / Math.max(1, height - 1)));
      data[offset + 2] = level(Math.round((255 * x * y) / Math.max(1, (width - 1) * (height - 1))));
      data[offset + 3] = 255;
    }
  }
  return { width, height, data };
}

export async function encode(image: Rgba, mime: 'image/png' | 'image/jpeg' | 'image/bmp' | 'image/gif' | 'image/tiff') {
  // Jimp.fromBitmap reads data.buffer whole, ignoring byteOffset: give it a Buffer outside Node's shared pool.
  const data = Buffer.alloc(image.data.length);
  image.data.copy(data);
  const jimp = Jimp.fromBitmap({ width: image.width, height: image.height, data });
  return mime === 'image/jpeg' ? jimp.getBuffer(mime, { quality: 95 }) : jimp.getBuffer(mime);
}

export async function decode(bytes: Buffer): Promise<Rgba> {
  const image = await Jimp.fromBuffer(bytes);
  return { width: image.width, height: image.height, data: image.bitmap.data };
}

/**
 * sharp's decoding as 8-bit RGBA: native libjpeg-turbo for a JPEG, and colour-managed as a viewer shows it
 * (converted to sRGB through an embedded ICC profile).
 */
export async function decodeWithSharp(bytes: Uint8Array): Promise<Rgba> {
  const { data, info } = await sharp(bytes)
    .toColourspace('srgb')
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data };
}

/** The expected result, computed pixel by pixel, independently of the service's row-swapping code. */
export function flipExpected(source: Rgba, axis: FlipAxis): Rgba {
  const { width, height } = source;
  const data = Buffer.alloc(source.data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const fromX = axis === 'vertical' ? x : width - 1 - x;
      const fromY = axis === 'horizontal' ? y : height - 1 - y;
      source.data.copy(data, (y * width + x) * 4, (fromY * width + fromX) * 4, (fromY * width + fromX) * 4 + 4);
    }
  }
  return { width, height, data };
}

/**
 * Largest and mean absolute difference over the colour channels of two same-size images. Images of different
 * sizes fail the assertion: compared byte by byte, an output cropped to the first rows would match.
 */
export function difference(a: Rgba, b: Rgba): { max: number; mean: number } {
  assert.deepEqual([a.width, a.height], [b.width, b.height], 'the images differ in size');
  for (const image of [a, b]) assert.equal(image.data.length, image.width * image.height * 4, 'not RGBA bytes');
  let max = 0;
  let sum = 0;
  let count = 0;
  for (let i = 0; i < a.data.length; i++) {
    if (i % 4 === 3) continue;
    const d = Math.abs(a.data[i]! - b.data[i]!);
    max = Math.max(max, d);
    sum += d;
    count++;
  }
  return { max, mean: sum / count };
}

/** A PNG signature and IHDR chunk claiming width x height, and nothing else: a decompression-bomb header. */
export function pngHeaderOnly(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(25);
  ihdr.writeUInt32BE(13, 0);
  ihdr.write('IHDR', 4);
  ihdr.writeUInt32BE(width, 8);
  ihdr.writeUInt32BE(height, 12);
  ihdr[16] = 8;
  ihdr[17] = 6;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ihdr]);
}

/** Inserts an EXIF APP1 segment with the given Orientation tag right after a JPEG's SOI marker. */
export function withExifOrientation(jpeg: Buffer, orientation: number): Buffer {
  const tiff = Buffer.alloc(26);
  tiff.write('II', 0);
  tiff.writeUInt16LE(42, 2);
  tiff.writeUInt32LE(8, 4);
  tiff.writeUInt16LE(1, 8);
  tiff.writeUInt16LE(0x0112, 10);
  tiff.writeUInt16LE(3, 12);
  tiff.writeUInt32LE(1, 14);
  tiff.writeUInt16LE(orientation, 18);
  tiff.writeUInt32LE(0, 22);
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'binary'), tiff]);
  const header = Buffer.from([0xff, 0xe1, 0, 0]);
  header.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), header, payload, jpeg.subarray(2)]);
}
