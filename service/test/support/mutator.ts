/** mulberry32: a small seeded generator, so a failing mutant can be made again from the seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Values that make lengths, counts and offsets extreme.
const EXTREMES = [0x00000000, 0xffffffff, 0x7fffffff, 0x80000000, 0x0000ffff, 0x00010000, 0x00000001];

type Mutation = (bytes: Buffer, at: number, random: () => number) => Buffer;

const mutations: Mutation[] = [
  // Flip one bit.
  (bytes, at, random) => {
    bytes[at] = bytes[at]! ^ (1 << Math.floor(random() * 8));
    return bytes;
  },
  // Set one byte to 0x00, 0xff, 0x7f or 0x80.
  (bytes, at, random) => {
    bytes[at] = [0x00, 0xff, 0x7f, 0x80][Math.floor(random() * 4)]!;
    return bytes;
  },
  // Overwrite four bytes with an extreme 32-bit value, in either byte order.
  (bytes, at, random) => {
    if (at + 4 > bytes.length) return bytes;
    const value = EXTREMES[Math.floor(random() * EXTREMES.length)]!;
    if (random() < 0.5) bytes.writeUInt32BE(value, at);
    else bytes.writeUInt32LE(value, at);
    return bytes;
  },
  // Repeat a slice.
  (bytes, at, random) => {
    const slice = bytes.subarray(at, at + 1 + Math.floor(random() * 64));
    return Buffer.concat([bytes.subarray(0, at), slice, bytes.subarray(at)]);
  },
  // Drop a slice.
  (bytes, at, random) => Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1 + Math.floor(random() * 64))]),
  // Cut the file short.
  (bytes, at) => bytes.subarray(0, Math.max(1, at)),
];

/** A copy of `source` with one to four random mutations, chosen by `random`. */
export function mutate(source: Buffer, random: () => number): Buffer {
  let bytes = Buffer.from(source);
  const count = 1 + Math.floor(random() * 4);
  for (let i = 0; i < count; i++) {
    const mutation = mutations[Math.floor(random() * mutations.length)]!;
    bytes = Buffer.from(mutation(bytes, Math.floor(random() * bytes.length), random));
  }
  return bytes;
}
