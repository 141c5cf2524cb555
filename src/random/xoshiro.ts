/**
 * The project's seeded generator: xoshiro128** 1.1 (Blackman & Vigna, 2018), 32-bit words,
 * period 2^128 − 1, seeded through splitmix64 so that nearby seeds give unrelated streams.
 *
 * Chosen over the xoroshiro128+ of common JS packages because its low bits are not weak, and over
 * 64-bit generators because 32-bit words keep JavaScript on fast integer paths (Math.imul).
 * Every draw is a pure function of (seed, stream label, draw index): the same seed gives the same
 * bits on every machine, because only integer arithmetic and V8's fdlibm-derived Math.log/cos/sin
 * are involved.
 */
const MASK64 = (1n << 64n) - 1n;

/** splitmix64 step (Steele, Lea & Flood 2014): the recommended seeder for the xoshiro family. */
function splitmix64(state: bigint): [next: bigint, out: bigint] {
  const next = (state + 0x9e3779b97f4a7c15n) & MASK64;
  let z = next;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return [next, z ^ (z >> 31n)];
}

/** FNV-1a over the label, so that each named stream ("init", "data", …) is independent. */
function hashLabel(label: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(label)) {
    h ^= BigInt(byte);
    h = (h * 0x100000001b3n) & MASK64;
  }
  return h;
}

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare = NaN;

  /**
   * @param seed  a non-negative safe integer (the user's --seed)
   * @param stream a label naming the purpose of the draws, e.g. "init" or "data"
   */
  constructor(seed: number, stream = '') {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
    }
    let state = (BigInt(seed) ^ hashLabel(stream)) & MASK64;
    let a: bigint;
    let b: bigint;
    [state, a] = splitmix64(state);
    [state, b] = splitmix64(state);
    this.s0 = Number(a & 0xffffffffn) | 0;
    this.s1 = Number(a >> 32n) | 0;
    this.s2 = Number(b & 0xffffffffn) | 0;
    this.s3 = Number(b >> 32n) | 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
  }

  /** A generator in an explicit state (for checking against the reference C implementation). */
  static fromState(s0: number, s1: number, s2: number, s3: number): Rng {
    const rng = new Rng(0);
    rng.s0 = s0 | 0;
    rng.s1 = s1 | 0;
    rng.s2 = s2 | 0;
    rng.s3 = s3 | 0;
    return rng;
  }

  /** Next 32-bit output as an unsigned integer in [0, 2^32). */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform double in [0, 1) with all 53 bits random (two outputs: 27 high + 26 low bits). */
  nextDouble(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal by the Box–Muller transform; the second value of each pair is kept. */
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const z = this.spare;
      this.spare = NaN;
      return z;
    }
    const u1 = 1 - this.nextDouble(); // (0, 1]: log never sees 0
    const u2 = this.nextDouble();
    const radius = Math.sqrt(-2 * Math.log(u1));
    const angle = 2 * Math.PI * u2;
    this.spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** Fair random sign, ±1. */
  sign(): number {
    return (this.nextUint32() & 1) === 0 ? 1 : -1;
  }

  /** Fill `out` with independent standard normals. */
  fillNormal(out: Float64Array): Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = this.normal();
    return out;
  }
}
