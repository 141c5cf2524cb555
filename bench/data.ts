/**
 * Benchmark problems: seeded data written to a directory as raw little-endian float64 files
 * (X n×d with unit rows, W m×d neuron-major, a, y) plus meta.json, so that our backend and the
 * Python peers time exactly the same numbers.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Rng } from '../src/random/xoshiro.js';

export interface Size {
  name: string;
  n: number;
  d: number;
  m: number;
}

export interface Meta {
  n: number;
  d: number;
  m: number;
  kappa: number;
  eta: number;
}

/** n rows uniform on the unit sphere in R^d: normal vectors divided by their norms. */
function unitRows(rng: Rng, n: number, d: number): Float64Array {
  const X = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let q = 0;
    for (let j = 0; j < d; j++) {
      const v = rng.normal();
      X[i * d + j] = v;
      q += v * v;
    }
    for (let j = 0; j < d; j++) X[i * d + j] /= Math.sqrt(q);
  }
  return X;
}

export function writeProblem(dir: string, s: Size, seed = 2024): Meta {
  mkdirSync(dir, { recursive: true });
  const rng = new Rng(seed, `bench-${s.name}`);
  const X = unitRows(rng, s.n, s.d);
  const W = rng.fillNormal(new Float64Array(s.m * s.d));
  const a = new Float64Array(s.m);
  for (let r = 0; r < s.m; r++) a[r] = rng.sign();
  const y = rng.fillNormal(new Float64Array(s.n));
  // κ = 1/√m (ntk); a small η keeps W essentially fixed over the timed repetitions
  const meta: Meta = { n: s.n, d: s.d, m: s.m, kappa: 1 / Math.sqrt(s.m), eta: 1e-4 };
  const put = (name: string, v: Float64Array): void =>
    writeFileSync(path.join(dir, name), new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  put('X.f64', X);
  put('W.f64', W);
  put('a.f64', a);
  put('y.f64', y);
  writeFileSync(path.join(dir, 'meta.json'), JSON.stringify(meta));
  return meta;
}

/** The infinite-width exp kernel H^cts_ij = ρ e^{1+ρ}, ρ = ⟨x_i,x_j⟩ (docs/theory.md §3), n unit vectors in R^d. */
export function writeKernel(dir: string, n: number, d: number, seed = 7): Float64Array {
  mkdirSync(dir, { recursive: true });
  const rng = new Rng(seed, 'bench-kernel');
  const X = unitRows(rng, n, d);
  const H = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let rho = 0;
      for (let t = 0; t < d; t++) rho += X[i * d + t] * X[j * d + t];
      H[i * n + j] = H[j * n + i] = rho * Math.exp(1 + rho);
    }
  writeFileSync(path.join(dir, 'H.f64'), new Uint8Array(H.buffer));
  return H;
}

export function readF64(file: string, buf: Buffer): Float64Array {
  void file;
  const out = new Float64Array(buf.byteLength / 8);
  new Uint8Array(out.buffer).set(buf);
  return out;
}
