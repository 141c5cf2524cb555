/**
 * How much memory a command may use: by default what the machine has free now, or the limit the
 * user sets (`--max-memory`). Runs and data files are refused, with the size they would need,
 * before anything that large is allocated.
 */
import { freemem } from 'node:os';

/** The memory a command may use when the user sets no limit: the machine's free memory. */
export function defaultMemoryLimit(): number {
  return freemem();
}

/** 1536 → "1.5 KiB", 6.4e9 → "6.0 GiB". */
export function formatBytes(b: number): string {
  if (!Number.isFinite(b)) return String(b);
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let v = b;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${Math.round(v)} bytes` : `${v.toFixed(1)} ${units[u]}`;
}

/** "12G", "512M", "2.5GiB", "1e9" → bytes; NaN when it is none of these. */
export function parseBytes(text: string): number {
  const m = /^\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([kmgt]?)(i?b)?\s*$/i.exec(text);
  if (!m) return Number.NaN;
  const scale = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return Number(m[1]) * scale;
}
