/**
 * Text widths from a TrueType font's own advance widths (cmap format 4 + hmtx), so that vega lays
 * out titles and legends for the font the PNGs are drawn with. Without a canvas, vega would
 * guess 0.8 em per character, about 35% too wide for DejaVu Sans. Kerning is ignored.
 */
import { readFileSync } from 'node:fs';

/** Advance width in em of each BMP code point the font maps; `fallback` em for the rest. */
export interface AdvanceTable {
  advance(codePoint: number): number;
}

/** Parses the font at `path`; undefined when the file is unreadable or not a TrueType font with a Unicode BMP cmap. */
export function loadAdvanceTable(path: string, fallback = 0.6): AdvanceTable | undefined {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch {
    return undefined;
  }
  try {
    const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const tables = new Map<string, number>();
    const numTables = v.getUint16(4);
    for (let i = 0; i < numTables; i++) {
      const rec = 12 + 16 * i;
      tables.set(buf.toString('latin1', rec, rec + 4), v.getUint32(rec + 8));
    }
    const head = tables.get('head');
    const hhea = tables.get('hhea');
    const hmtx = tables.get('hmtx');
    const cmap = tables.get('cmap');
    if (head === undefined || hhea === undefined || hmtx === undefined || cmap === undefined) return undefined;
    const unitsPerEm = v.getUint16(head + 18);
    const numHMetrics = v.getUint16(hhea + 34);
    const advanceOf = (glyph: number) => v.getUint16(hmtx + 4 * Math.min(glyph, numHMetrics - 1)) / unitsPerEm;

    let sub = -1;
    const n = v.getUint16(cmap + 2);
    for (let i = 0; i < n; i++) {
      const platform = v.getUint16(cmap + 4 + 8 * i);
      const encoding = v.getUint16(cmap + 6 + 8 * i);
      const off = cmap + v.getUint32(cmap + 8 + 8 * i);
      if (v.getUint16(off) === 4 && ((platform === 3 && encoding === 1) || platform === 0)) {
        sub = off;
        break;
      }
    }
    if (sub < 0) return undefined;
    const segCount = v.getUint16(sub + 6) / 2;
    const ends = sub + 14;
    const starts = ends + 2 * segCount + 2;
    const deltas = starts + 2 * segCount;
    const ranges = deltas + 2 * segCount;
    const widths = new Float32Array(65536).fill(fallback);
    for (let s = 0; s < segCount; s++) {
      const end = v.getUint16(ends + 2 * s);
      const start = v.getUint16(starts + 2 * s);
      const delta = v.getInt16(deltas + 2 * s);
      const rangeOffset = v.getUint16(ranges + 2 * s);
      for (let c = start; c <= end && c < 0xffff; c++) {
        let glyph: number;
        if (rangeOffset === 0) glyph = (c + delta) & 0xffff;
        else {
          const at = ranges + 2 * s + rangeOffset + 2 * (c - start);
          glyph = at + 1 < buf.byteLength ? v.getUint16(at) : 0;
          if (glyph !== 0) glyph = (glyph + delta) & 0xffff;
        }
        if (glyph !== 0) widths[c] = advanceOf(glyph);
      }
    }
    return { advance: (cp) => (cp < 65536 ? widths[cp] : fallback) };
  } catch {
    return undefined;
  }
}

/** Width in pixels of `text` at `fontSize`. */
export function textWidth(table: AdvanceTable, text: string, fontSize: number): number {
  let em = 0;
  for (const ch of text) em += table.advance(ch.codePointAt(0)!);
  return em * fontSize;
}
