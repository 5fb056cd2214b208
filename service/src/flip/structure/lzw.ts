export interface LzwDialect {
  /** Bits of a literal: the GIF frame's minimum code size, 8 in TIFF. */
  literalBits: number;
  /** TIFF packs codes from the most significant bit, GIF from the least. */
  msbFirst: boolean;
  /** TIFF widens codes one entry early. */
  earlyChange: boolean;
  /** utif2 starts a TIFF strip as if a code came before (a table entry from the first code on). */
  firstCodeAddsEntry: boolean;
}

/**
 * Walks an LZW code stream without producing pixels and throws if a code is out of sequence: past the next
 * table entry, or a string code where a literal must come (first, or right after a clear code). Decoders that
 * trust such a code chase stale table entries, and a chase that meets itself never ends (utif2's and omggif's
 * do). In a stream that passes, every entry points to an earlier one, so every chase ends.
 */
export function checkLzwCodes(data: Uint8Array, dialect: LzwDialect): void {
  const { literalBits, msbFirst, earlyChange } = dialect;
  const clear = 1 << literalBits;
  const end = clear + 1;
  const totalBits = data.length * 8;
  let bit = 0;
  let width = literalBits + 1;
  let next = end + 1;
  let afterClear = !dialect.firstCodeAddsEntry;
  const read = (): number => {
    let code = 0;
    for (let i = 0; i < width; i++, bit++) {
      const set = msbFirst ? (data[bit >> 3]! >> (7 - (bit & 7))) & 1 : (data[bit >> 3]! >> (bit & 7)) & 1;
      code = msbFirst ? (code << 1) | set : code | (set << i);
    }
    return code;
  };
  while (bit + width <= totalBits) {
    const code = read();
    if (code === clear) {
      width = literalBits + 1;
      next = end + 1;
      afterClear = true;
      continue;
    }
    if (code === end) return;
    if (afterClear ? code > clear : code > next) throw new Error(`LZW code ${code} is out of sequence`);
    if (!afterClear && next < 4096) next++;
    afterClear = false;
    if (next + (earlyChange ? 1 : 0) >= 1 << width && width < 12) width++;
  }
}
