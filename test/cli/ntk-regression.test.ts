/**
 * `overparam ntk` without training (docs/theory.md §6): kernel regression on test points, the kernel
 * export and the spectral view, spawned as a user runs them (the built dist/cli/main.js), each number
 * checked against an independent computation written here — closed-form kernels of docs/theory.md §3,
 * a Cholesky solve, the explicit recursion r ← r − ηHr, an empirical kernel summed neuron by neuron.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseNpy } from '../../src/data/npy.js';
import { initialWeights } from '../../src/model/init.js';

const MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'overparam-ntk-regression-'));

function run(...args: string[]) {
  const p = spawnSync(process.execPath, [MAIN, 'ntk', ...args], { encoding: 'utf-8', cwd: dir });
  return { code: p.status, stdout: p.stdout, stderr: p.stderr };
}

function json(...args: string[]) {
  const r = run(...args, '--json');
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** A bad invocation: the exit code, and one line on stderr saying what is wrong. */
function oneLine(args: string[], code: number, pattern: RegExp): void {
  const r = run(...args);
  assert.equal(r.code, code, `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line expected:\n${r.stderr}`);
  assert.match(lines[0], /^error: /);
  assert.match(lines[0], pattern);
  assert.equal(r.stdout, '');
}

const readNpy = (path: string) => parseNpy(new Uint8Array(readFileSync(path)), path);

// ---- data: written here with their own generator, normalised here as `--normalize unit` does ----

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Points {
  X: number[][];
  y: number[];
}

function points(count: number, d: number, seed: number): Points {
  const u = mulberry32(seed);
  const X = Array.from({ length: count }, () => Array.from({ length: d }, () => 2 * u() - 1));
  const y = X.map((x) => Math.sin(2 * x[0]) + x[1] * x[d - 1] + 0.5);
  return { X, y };
}

function csv(name: string, p: Points): string {
  const d = p.X[0].length;
  const header = [...Array.from({ length: d }, (_, j) => `x${j}`), 'y'].join(',');
  const path = join(dir, name);
  writeFileSync(path, [header, ...p.X.map((x, i) => [...x, p.y[i]].map((v) => String(v)).join(','))].join('\n') + '\n');
  return path;
}

const unit = (X: number[][]): number[][] =>
  X.map((x) => {
    let s = 0;
    for (const v of x) s += v * v;
    const r = Math.sqrt(s);
    return x.map((v) => v / r);
  });

const dot = (a: readonly number[], b: readonly number[]): number => {
  let s = 0;
  for (let t = 0; t < a.length; t++) s += a[t] * b[t];
  return s;
};

/** Closed forms of docs/theory.md §3 on unit-norm inputs: exp ρ e^{1+ρ}, ReLU ρ (π − θ)/(2π). */
const CLOSED: Record<string, (a: number[], b: number[]) => number> = {
  exp: (a, b) => {
    const rho = dot(a, b);
    return rho * Math.exp(1 + rho);
  },
  relu: (a, b) => {
    const rho = dot(a, b);
    return (rho * (Math.PI - Math.acos(Math.max(-1, Math.min(1, rho))))) / (2 * Math.PI);
  },
};

const gram = (k: (a: number[], b: number[]) => number, A: number[][], B: number[][]): number[][] => A.map((a) => B.map((b) => k(a, b)));

/** Solves K c = y by Cholesky, K symmetric positive definite. */
function choleskySolve(K: number[][], y: readonly number[]): number[] {
  const n = K.length;
  const L = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = K[i][j];
      for (let t = 0; t < j; t++) s -= L[i][t] * L[j][t];
      if (i === j) {
        assert.ok(s > 0, 'the kernel is positive definite');
        L[i][i] = Math.sqrt(s);
      } else L[i][j] = s / L[j][j];
    }
  }
  const z = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let s = y[i];
    for (let t = 0; t < i; t++) s -= L[i][t] * z[t];
    z[i] = s / L[i][i];
  }
  const c = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i];
    for (let t = i + 1; t < n; t++) s -= L[t][i] * c[t];
    c[i] = s / L[i][i];
  }
  return c;
}

const matVec = (M: number[][], v: readonly number[]): number[] => M.map((row) => dot(row, v));
const norm = (v: readonly number[]): number => Math.sqrt(dot(v, v));
const sub = (a: readonly number[], b: readonly number[]): number[] => a.map((v, i) => v - b[i]);
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

const N = 14;
const NT = 6;
const D = 3;
const trainPts = points(N, D, 1);
const testPts = points(NT, D, 2);
const trainCsv = csv('train.csv', trainPts);
const testCsv = csv('test.csv', testPts);
const Xu = unit(trainPts.X);
const Tu = unit(testPts.X);

/** Kernel interpolation K(X*, X) K⁻¹ y, by Cholesky. */
const interpolation = (act: string): number[] => matVec(gram(CLOSED[act], Tu, Xu), choleskySolve(gram(CLOSED[act], Xu, Xu), trainPts.y));

test('--test-data: the test error of the kernel interpolation, and --out holds K(X*,X) K⁻¹ y (one activation: shape [n*])', () => {
  const pred = join(dir, 'pred.npy');
  const j = json('--data', trainCsv, '--test-data', testCsv, '--out', pred);
  const reg = j.models[0].regression;
  const f = readNpy(pred);
  assert.deepEqual(f.shape, [NT]);
  const want = interpolation('exp');
  assert.ok(relErr(f.data, want) <= 1e-8, `predictions differ from the Cholesky interpolation by ${relErr(f.data, want)}`);
  const err = norm(sub(Array.from(f.data), testPts.y));
  assert.ok(Math.abs(reg.interpolation.testResidual - err) <= 1e-12 * err);
  assert.ok(Math.abs(reg.interpolation.rmse - err / Math.sqrt(NT)) <= 1e-12 * err);
  assert.equal(reg.interpolation.k, 'infinity');
  assert.ok(reg.interpolation.trainResidual <= 1e-8 * norm(trainPts.y), 'the interpolant fits the training labels');
  assert.equal(reg.dropped, 0);
  assert.equal(reg.atStep, null);
  assert.equal(j.test.n, NT);
  assert.ok(Math.abs(j.test.zeroPredictor.testResidual - norm(testPts.y)) <= 1e-12 * norm(testPts.y));
  assert.match(j.regressionConventions.start, /r\(0\) = −y/);
  assert.equal(j.predictions.k, 'infinity');
  // the text says which kernel, k and normalisation
  const t = run('--data', trainCsv, '--test-data', testCsv);
  assert.equal(t.code, 0, t.stderr);
  for (const s of ['kernel regression on the 6 test points', 'H^lim on the NTK scale', 'r(0) = −y', 'normalisation unit', '‖f − y*‖₂', 'RMSE']) assert.ok(t.stdout.includes(s), `output lacks '${s}':\n${t.stdout}`);
});

test('several activations: --out has shape [A, n*] in the order given; --steps k with --eta follows the explicit GD recursion', () => {
  const pred = join(dir, 'pred2.npy');
  const j = json('--data', trainCsv, '--test-data', testCsv, '--activation', 'exp,relu', '--out', pred);
  const f = readNpy(pred);
  assert.deepEqual(f.shape, [2, NT]);
  ['exp', 'relu'].forEach((act, a) => {
    const want = interpolation(act);
    const got = f.data.subarray(a * NT, (a + 1) * NT);
    assert.ok(relErr(got, want) <= 1e-7, `${act}: ${relErr(got, want)}`);
    assert.equal(j.models[a].activation, act);
  });
  // after k steps with η: f_k = H(X*, X) · η Σ_{j<k} (I − ηH)^j y, summed step by step here
  const eta = 0.02;
  const k = 57;
  const predK = join(dir, 'predk.npy');
  const jk = json('--data', trainCsv, '--test-data', testCsv, '--steps', String(k), '--eta', String(eta), '--out', predK);
  const H = gram(CLOSED.exp, Xu, Xu);
  const C = gram(CLOSED.exp, Tu, Xu);
  let r = [...trainPts.y];
  const acc = new Array<number>(N).fill(0);
  for (let s = 0; s < k; s++) {
    for (let i = 0; i < N; i++) acc[i] += eta * r[i];
    const Hr = matVec(H, r);
    r = r.map((v, i) => v - eta * Hr[i]);
  }
  const want = matVec(C, acc);
  const fk = readNpy(predK);
  assert.deepEqual(fk.shape, [NT]);
  assert.ok(relErr(fk.data, want) <= 1e-10, `f_k differs from the recursion by ${relErr(fk.data, want)}`);
  const st = jk.models[0].regression.atStep;
  assert.equal(st.k, k);
  assert.equal(jk.models[0].regression.eta, eta);
  assert.equal(jk.models[0].regression.etaMode, 'fixed');
  assert.ok(Math.abs(st.testResidual - norm(sub(want, testPts.y))) <= 1e-9 * st.testResidual);
  assert.ok(Math.abs(st.trainResidual - norm(r)) <= 1e-9 * norm(r), 'the training residual ‖(I − ηH)^k y‖');
  assert.equal(jk.predictions.k, k);
  // auto: η = 1/λ_max(H^lim)
  const ja = json('--data', trainCsv, '--test-data', testCsv, '--steps', '3');
  assert.ok(Math.abs(ja.models[0].regression.eta * ja.models[0].lambdaMax - 1) <= 1e-12);
  assert.equal(ja.models[0].regression.etaMode, 'auto');
});

test('--export-kernel writes H^lim entrywise as the closed form; with --width and --seed, the empirical H(W(0)) of that seed', () => {
  const Hpath = join(dir, 'H.npy');
  const j = json('--data', trainCsv, '--export-kernel', Hpath);
  assert.equal(j.exportKernel.kernel, 'infinite');
  const H = readNpy(Hpath);
  assert.deepEqual(H.shape, [N, N]);
  const K = gram(CLOSED.exp, Xu, Xu);
  for (let i = 0; i < N; i++) {
    for (let k = 0; k < N; k++) {
      const want = K[i][k];
      assert.ok(Math.abs(H.data[i * N + k] - want) <= 1e-14 * Math.abs(want), `H[${i},${k}] = ${H.data[i * N + k]}, closed form ${want}`);
    }
  }
  // the empirical kernel on the NTK scale: (1/m) ⟨x_i, x_j⟩ Σ_r σ'(⟨w_r, x_i⟩) σ'(⟨w_r, x_j⟩), W(0) of `train --seed 3`
  const m = 64;
  const seed = 3;
  const Epath = join(dir, 'E.npy');
  const je = json('--data', trainCsv, '--activation', 'exp,relu', '--width', String(m), '--seeds', '2', '--export-kernel', Epath, '--seed', String(seed));
  assert.equal(je.exportKernel.kernel, 'empirical');
  assert.equal(je.exportKernel.m, m);
  assert.equal(je.exportKernel.seed, seed);
  const E = readNpy(Epath);
  assert.deepEqual(E.shape, [2, N, N]);
  const dsigma: Record<string, (z: number) => number> = { exp: Math.exp, relu: (z) => (z >= 0 ? 1 : 0) };
  ['exp', 'relu'].forEach((act, a) => {
    const { W0 } = initialWeights({ activation: act as 'exp' | 'relu', scaling: 'ntk', init: 'gaussian', m, seed }, D);
    const w = (r: number) => Array.from(W0.subarray(r * D, (r + 1) * D));
    const phi = Xu.map((x) => Array.from({ length: m }, (_, r) => dsigma[act](dot(w(r), x))));
    let max = 0;
    const want = Xu.map((xi, i) => Xu.map((xk, k) => (dot(xi, xk) * dot(phi[i], phi[k])) / m));
    for (const row of want) for (const v of row) max = Math.max(max, Math.abs(v));
    for (let i = 0; i < N; i++) {
      for (let k = 0; k < N; k++) {
        const got = E.data[a * N * N + i * N + k];
        assert.ok(Math.abs(got - want[i][k]) <= 1e-12 * max, `${act} H(W(0))[${i},${k}] = ${got}, summed here ${want[i][k]}`);
      }
    }
  });
  assert.match(run('--data', trainCsv, '--width', String(m), '--seeds', '1', '--export-kernel', Epath, '--seed', String(seed)).stdout, /empirical kernel H\(W\(0\)\) at width m = 64, seed 3/);
});

test('--projections: the energies sum to ‖y‖², the predicted residual is the recursion r ← r − ηHr, and yᵀH⁻¹y', () => {
  const k = 37;
  const j = json('--data', trainCsv, '--activation', 'exp,relu', '--projections', '--steps', String(k));
  const ySq = dot(trainPts.y, trainPts.y);
  for (const mk of j.models) {
    const p = mk.projections;
    const sum = p.energy.reduce((s: number, v: number) => s + v, 0);
    assert.ok(Math.abs(sum - ySq) <= 1e-12 * ySq, `${mk.activation}: Σ energy = ${sum}, ‖y‖² = ${ySq}`);
    assert.ok(Math.abs(p.cumulative[N - 1] - 1) <= 1e-12);
    for (let i = 1; i < N; i++) assert.ok(p.eigenvalues[i] <= p.eigenvalues[i - 1], 'eigenvalues by decreasing rank');
    const H = gram(CLOSED[mk.activation], Xu, Xu);
    // yᵀ H⁻¹ y by Cholesky
    const rkhs = dot(trainPts.y, choleskySolve(H, trainPts.y));
    assert.ok(Math.abs(p.rkhsNormSq - rkhs) <= 1e-8 * rkhs, `${mk.activation}: yᵀH⁻¹y = ${p.rkhsNormSq}, Cholesky ${rkhs}`);
    assert.ok(Math.abs(p.boundTerm - Math.sqrt((2 * rkhs) / N)) <= 1e-8 * p.boundTerm);
    // ‖r(k)‖ from r(0) = −y by the explicit recursion, at each printed k (k = 37 among them)
    assert.ok(p.predicted.some((q: { k: number }) => q.k === k));
    const ks = new Set(p.predicted.map((q: { k: number }) => q.k));
    let r = trainPts.y.map((v) => -v);
    for (let s = 0; s <= Math.max(...(ks as Set<number>)); s++) {
      if (ks.has(s)) {
        const q = p.predicted.find((x: { k: number }) => x.k === s);
        assert.ok(Math.abs(q.residual - norm(r)) <= 1e-7 * norm(r) + 1e-12 * Math.sqrt(ySq), `${mk.activation} k = ${s}: predicted ${q.residual}, recursion ${norm(r)}`);
      }
      const Hr = matVec(H, r);
      r = r.map((v, i) => v - p.eta * Hr[i]);
    }
  }
  // the figure: cumulative energy against rank, one curve per activation
  const fig = join(dir, 'energy.svg');
  const t = run('--data', trainCsv, '--activation', 'exp,relu', '--projections', '--figure', fig);
  assert.equal(t.code, 0, t.stderr);
  for (const s of ['spectral view', 'yᵀ(H^lim)⁻¹y', 'predicted ‖r(k)‖₂', 'cumulative energy']) assert.ok(t.stdout.includes(s), `output lacks '${s}'`);
  const svg = readFileSync(fig, 'utf-8');
  assert.match(svg, /^<svg/);
  for (const s of ['exp (H^cts)', 'ReLU (H^∞)', 'eigenvalue rank']) assert.ok(svg.includes(s), `figure lacks '${s}'`);
  // --label-noise replaces the labels: the same ‖y‖² need not hold, the source says so
  const noisy = json('--n', '20', '--d', '4', '--label-kind', 'teacher', '--label-noise', '1', '--projections');
  assert.match(noisy.data.source, /labels: 20 of 20 random/);
});

test('a singular kernel (a repeated input): the minimum-norm interpolation, with the directions dropped said', () => {
  const dup: Points = { X: [...trainPts.X, trainPts.X[0]], y: [...trainPts.y, trainPts.y[0] + 1] };
  const path = csv('dup.csv', dup);
  const pred = join(dir, 'dup.npy');
  const j = json('--data', path, '--test-data', testCsv, '--out', pred);
  const reg = j.models[0].regression;
  assert.ok(reg.dropped >= 1, `dropped ${reg.dropped}`);
  // the minimum-norm interpolant of two copies of a point is that of one copy with the mean label
  const y = [...trainPts.y];
  y[0] = (trainPts.y[0] + trainPts.y[0] + 1) / 2;
  const want = matVec(gram(CLOSED.exp, Tu, Xu), choleskySolve(gram(CLOSED.exp, Xu, Xu), y));
  assert.ok(relErr(readNpy(pred).data, want) <= 1e-6, `${relErr(readNpy(pred).data, want)}`);
  assert.ok(Math.abs(reg.interpolation.trainResidual - Math.SQRT1_2) <= 1e-6, 'the two labels 1 apart leave 1/√2');
  assert.match(run('--data', path, '--test-data', testCsv).stdout, /0 to rounding/);
});

test('bad input: one line, exit 2 for options and 3 for data; output paths checked before any work', () => {
  oneLine(['--n', '10', '--steps', '5'], 2, /--steps .*test points.*--projections/);
  oneLine(['--n', '10', '--out', join(dir, 'p.npy')], 2, /--out .*test points/);
  oneLine(['--data', trainCsv, '--test-data', testCsv, '--out', join(dir, 'p.txt')], 2, /\.npy/);
  oneLine(['--data', trainCsv, '--test-data', testCsv, '--eta', '0.1'], 2, /--eta/);
  oneLine(['--n', '10', '--seed', '3'], 2, /--seed .*--export-kernel/);
  oneLine(['--n', '10', '--export-kernel', join(dir, 'k.npy'), '--width', '10,20'], 2, /one --width/);
  oneLine(['--n', '10', '--projections', '--width', '10', '--figure', join(dir, 'f.svg')], 2, /--figure draws one figure/);
  oneLine(['--n', '10', '--test-n', '5', '--steps', '-1'], 2, /--steps must be an integer ≥ 0/);
  // an unwritable path is refused before the data are drawn or any kernel formed (n = 20000 would take minutes)
  const missing = join(dir, 'no', 'such', 'dir');
  oneLine(['--n', '20000', '--test-n', '5', '--out', join(missing, 'p.npy')], 3, /no[/\\]such[/\\]dir/);
  oneLine(['--n', '20000', '--export-kernel', join(missing, 'H.npy')], 3, /no[/\\]such[/\\]dir/);
  assert.ok(!existsSync(missing));
  // test points of another dimension: the data error of the library
  const wide = csv('wide.csv', points(4, D + 1, 3));
  oneLine(['--data', trainCsv, '--test-data', wide], 3, /wide\.csv/);
});
