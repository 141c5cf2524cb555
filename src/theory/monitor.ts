/**
 * A self-contained monitor of the a-posteriori quantities of docs/theory.md §4, for the training loop.
 *
 * Usage (every K steps `observe`, every step `observeResidual` — O(1)):
 *   const mon = createKernelMonitor({ backend, problem, W0, eta });   // copies W0
 *   mon.observe(0, W, ‖r(0)‖);
 *   for k = 1, 2, …: step; mon.observeResidual(k, ‖r(k)‖); if (k % K === 0) mon.observe(k, W, ‖r(k)‖);
 *   mon.certificate();
 *
 * Scale: every kernel quantity is on the NTK scale, H / (κ² m) (kernel/empirical.ts), and the
 * contraction threshold uses the effective step η κ² m; so the same thresholds apply to "ntk" and
 * "none" runs. Cost of one `observe`: one backend.gram (O(n² m)), one dense λ_min and one spectral
 * norm of an n×n matrix (O(n³) each by default; ≈ 1 s each at n = 1000), and O(md) for the movement.
 * An observation at W = W(0) (step 0) costs O(md): it is H(W(0)), measured when the monitor was made.
 * The start reduces H(W(0)) to tridiagonal form once, for λ_min, λ_max and (eigenH0) its eigenvectors.
 */
import type { Backend, Problem } from '../backend/types.js';
import { DataError } from '../errors.js';
import { nativeRoutines } from '../backend/routines.js';
import { extremesAndDistance } from '../kernel/distance.js';
import { normalisedKernel, ntkNormalisation } from '../kernel/empirical.js';
import { infiniteKernel } from '../kernel/infinite.js';
import { eighOfForm, lambdaMinMaxOfForm, zeroToRounding, type EighResult } from '../linalg/eigh.js';
import { tridiagonalize } from '../linalg/tridiagonal.js';
import type { SpectralNormOptions } from '../linalg/dense.js';
import { movementStats } from '../model/movement.js';
import { rStar } from './bounds.js';
import { certificate } from './certificate.js';
import type { CertificateInput, CertificateRow } from './certificate.js';

export interface KernelMonitorOptions {
  readonly backend: Backend;
  readonly problem: Problem;
  /** W(0), m×d; copied, so the trainer may update its W in place. */
  readonly W0: Float64Array;
  /** The run's step size η (as passed to backend.step). */
  readonly eta: number;
  /** λ = λ_min of the infinite-width kernel; computed from `limit` when omitted. */
  readonly lambda?: number;
  /** The activation's infinite-width kernel H^lim (n×n); computed from problem.X when omitted. */
  readonly limit?: Float64Array;
  /** How spectral norms of kernel differences are computed (default: dense up to n = 400, else Lanczos). */
  readonly spectral?: SpectralNormOptions;
}

/** One monitored step: a plain record, ready for JSON. */
export interface KernelObservation {
  readonly k: number;
  /** λ_min(H(W(k))), NTK scale. */
  readonly lambdaMin: number;
  /** ‖H(W(k)) − H(W(0))‖₂, NTK scale. */
  readonly kernelDrift: number;
  /** R(k) = max_r ‖w_r(k) − w_r(0)‖₂. */
  readonly movement: number;
  /** The median neuron's movement, and ‖W(k) − W(0)‖_F (docs/theory.md §6, laziness). */
  readonly movementMedian: number;
  readonly movementFrobenius: number;
  /** λ_max(H(W(k))), NTK scale: the step is linearly stable while η κ² m · λ_max < 2 (§6). */
  readonly lambdaMax: number;
  /** ‖H(W(k)) − H(W(0))‖₂ / ‖H(W(0))‖₂: the relative kernel change (§6, laziness). */
  readonly relativeDrift: number;
  /** ‖r(k)‖₂. */
  readonly residualNorm: number;
}

export interface KernelMonitorInitial {
  readonly lambda: number;
  /** Observed B = max |⟨w_r(0), x_i⟩|. */
  readonly B: number;
  readonly rStar: number;
  /** ‖H(W(0)) − H^lim‖₂ (NTK scale). */
  readonly initDistance: number;
  /** λ_min(H(W(0))) (NTK scale). */
  readonly lambdaMin0: number;
  /** λ_max(H(W(0))) = ‖H(W(0))‖₂ (NTK scale). */
  readonly lambdaMax0: number;
  /** 2/(η κ² m): the linear-stability line of λ_max(H(W(k))) (docs/theory.md §6). */
  readonly stabilityLimit: number;
  /** η κ² m: the step on the NTK scale. */
  readonly etaNtk: number;
}

export interface KernelMonitor {
  readonly initial: KernelMonitorInitial;
  /** The NTK-normalised H(W(0)) (n×n); e.g. for the linearised prediction with initial.etaNtk. */
  readonly H0: Float64Array;
  /** eigh(H0), the same bits, from the reduction the start already made (computed on the first call, O(n³)). */
  eigenH0(): EighResult;
  observe(k: number, W: Float64Array, residualNorm: number): KernelObservation;
  /** O(1): feeds ‖r(k)‖ for the per-step contraction; call it every step. */
  observeResidual(k: number, residualNorm: number): void;
  readonly observations: readonly KernelObservation[];
  /** The measured values the certificate is built from. */
  certificateInput(): CertificateInput;
  certificate(): CertificateRow[];
}

/** max_i |⟨w_r, x_i⟩| over the neurons r in `rows`, folded into b as observedB does (Math.max: NaN sticks). */
function maxAbsDot(X: Float64Array, n: number, d: number, W: Float64Array, rows: ArrayLike<number>, count: number, b: number): number {
  const n4 = n - (n % 4);
  for (let c = 0; c < count; c++) {
    const o = rows[c] * d;
    let i = 0;
    for (; i < n4; i += 4) {
      const q0 = i * d;
      const q1 = q0 + d;
      const q2 = q1 + d;
      const q3 = q2 + d;
      let z0 = 0;
      let z1 = 0;
      let z2 = 0;
      let z3 = 0;
      for (let t = 0; t < d; t++) {
        const w = W[o + t];
        z0 += w * X[q0 + t];
        z1 += w * X[q1 + t];
        z2 += w * X[q2 + t];
        z3 += w * X[q3 + t];
      }
      // in sample order, as observedB's Math.max(b, |z|) (a NaN sticks)
      let a = Math.abs(z0);
      if (a > b || a !== a) b = a;
      a = Math.abs(z1);
      if (a > b || a !== a) b = a;
      a = Math.abs(z2);
      if (a > b || a !== a) b = a;
      a = Math.abs(z3);
      if (a > b || a !== a) b = a;
    }
    for (; i < n; i++) {
      const q = i * d;
      let z = 0;
      for (let t = 0; t < d; t++) z += W[o + t] * X[q + t];
      const a = Math.abs(z);
      if (a > b || a !== a) b = a;
    }
  }
  return b;
}

/** ‖v‖² of v = a[o … o+d) (its own small function, so that the JIT compiles it after a few calls). */
function squaredNorm(a: Float64Array, o: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) s += a[o + t] * a[o + t];
  return s;
}

/**
 * Observed B = max_{r,i} |⟨w_r(0), x_i⟩| (docs/theory.md §4): the value of bounds.ts's observedB,
 * bit for bit (each ⟨w_r, x_i⟩ summed in the same order, so the maximum is the same element), in
 * O(md + nd) instead of O(nmd): observedBPruned, run by the addon where it is built
 * (native/src/bound.cc; this runs once per monitored run, where the TypeScript's first calls ran
 * in V8's interpreter: 2–3 ms of the default run).
 */
export function observedBFast(X: Float64Array, n: number, d: number, W: Float64Array, m: number): number {
  const shaped = [n, d, m].every((v) => Number.isInteger(v) && v >= 1) && X.length >= n * d && W.length >= m * d;
  const native = shaped ? nativeRoutines() : null;
  return native !== null ? native.observedB(X, n, d, W, m) : observedBPruned(X, n, d, W, m);
}

/**
 * observedBFast in TypeScript, the specification of bound.cc: |⟨w_r, x_i⟩| ≤ ‖w_r‖ max_i ‖x_i‖
 * (Cauchy–Schwarz), so after the neurons of largest norm have set b, only those with
 * ‖w_r‖ max‖x‖ ≥ b can hold the maximum. The bound is widened by 1e-9 relative (far above the
 * rounding of a d-term dot product) so that no neuron is skipped by a rounding. Non-finite
 * inputs: the full scan, exactly as observedB.
 */
export function observedBPruned(X: Float64Array, n: number, d: number, W: Float64Array, m: number): number {
  const norms = new Float64Array(m);
  let finite = true;
  for (let r = 0; r < m; r++) {
    const s = squaredNorm(W, r * d, d);
    norms[r] = Math.sqrt(s);
    if (!Number.isFinite(s)) finite = false;
  }
  let x2 = 0;
  for (let k = 0; k < n * d; k++) if (!Number.isFinite(X[k])) finite = false;
  for (let i = 0; i < n; i++) {
    const s = squaredNorm(X, i * d, d);
    if (s > x2) x2 = s;
  }
  const all = (): number => {
    const rows = new Int32Array(m);
    for (let r = 0; r < m; r++) rows[r] = r;
    return maxAbsDot(X, n, d, W, rows, m, 0);
  };
  if (!finite || !Number.isFinite(x2)) return all();
  const xMax = Math.sqrt(x2) * (1 + 1e-9);
  // first the 32 neurons of largest norm (a threshold from the sorted norms), then the rest that the bound cannot exclude
  const sorted = norms.slice().sort();
  const threshold = sorted[Math.max(0, m - 32)];
  const rows = new Int32Array(m);
  let count = 0;
  for (let r = 0; r < m; r++) if (norms[r] >= threshold) rows[count++] = r;
  const b = maxAbsDot(X, n, d, W, rows, count, 0);
  count = 0;
  for (let r = 0; r < m; r++) if (norms[r] < threshold && norms[r] * (1 + 1e-9) * xMax >= b) rows[count++] = r;
  return maxAbsDot(X, n, d, W, rows, count, b);
}

/** Whether a and b hold the same bytes (memcmp): the same bits, so the same kernel. */
function sameBits(a: Float64Array, b: Float64Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** The index of v's first entry that is not finite, or −1. */
function firstNonFinite(v: Float64Array): number {
  for (let k = 0; k < v.length; k++) if (!Number.isFinite(v[k])) return k;
  return -1;
}

export function createKernelMonitor(o: KernelMonitorOptions): KernelMonitor {
  const p = o.problem;
  const { n, d, m } = p;
  if (o.W0.length !== m * d) throw new RangeError(`W0 has ${o.W0.length} entries, expected m·d = ${m * d}`);
  const W0 = Float64Array.from(o.W0);
  // H(W(0)) first: the backend's workers are still awake from the η search (a Gram matrix after
  // the limit kernel's milliseconds of JavaScript woke them from sleep); its overflow is reported
  // after the limit kernel's, as before
  const H0 = normalisedKernel(o.backend, p, W0);
  const limit = o.limit ?? infiniteKernel(p.activation, p.X, n, d);
  const bad = firstNonFinite(H0);
  if (bad >= 0) {
    throw new DataError(`the kernel H(W(0)) is ${H0[bad]} at entry (${Math.floor(bad / n) + 1}, ${(bad % n) + 1}): σ'(⟨w_r, x_i⟩) overflows for these inputs (the theory assumes ‖x‖ ≤ 1)`, {
      field: 'normalize',
      hints: [{ field: 'normalize', value: 'unit' }],
    });
  }
  // λ = λ_min(H^lim) (kernelLambdaMin's value) and ‖H(W(0)) − H^lim‖₂: two reductions, side by side
  const fromLimit = extremesAndDistance(limit, H0, limit, n, o.spectral, o.backend.threads);
  const lambda = o.lambda ?? zeroToRounding(fromLimit.lambdaMin, fromLimit.lambdaMax, n);
  const B = observedBFast(p.X, n, d, W0, m);
  const etaNtk = o.eta / ntkNormalisation(p); // η κ² m
  const form0 = tridiagonalize(H0, n); // one reduction of H(W(0)): λ_min, λ_max, and eigh for the linearised prediction
  const extremes0 = lambdaMinMaxOfForm(form0);
  let eigen0: EighResult | undefined;
  const initial: KernelMonitorInitial = {
    lambda,
    B,
    rStar: lambda > 0 ? rStar(lambda, n, B) : Number.NaN, // no R* for a singular limit kernel
    initDistance: fromLimit.distance,
    lambdaMin0: extremes0.lambdaMin,
    lambdaMax0: extremes0.lambdaMax,
    stabilityLimit: 2 / etaNtk, // GD on the linearised model is stable iff η λ_max < 2   (docs/theory.md §6)
    etaNtk,
  };
  const observations: KernelObservation[] = [];
  const Hk = new Float64Array(n * n);
  let lastK = -1;
  let lastNorm = NaN;
  let maxStep = -Infinity; // max ‖r(k+1)‖²/‖r(k)‖² over consecutive steps
  let averaged = false;

  function observeResidual(k: number, residualNorm: number): void {
    if (k <= lastK) return; // already seen
    if (lastK >= 0 && lastNorm > 0) {
      const gap = k - lastK;
      const ratio = (residualNorm * residualNorm) / (lastNorm * lastNorm);
      // per-step rate over the gap (geometric mean) when steps were skipped
      const perStep = gap === 1 ? ratio : Math.pow(ratio, 1 / gap);
      if (gap > 1) averaged = true;
      maxStep = Math.max(maxStep, perStep);
    }
    lastK = k;
    lastNorm = residualNorm;
  }

  function observe(k: number, W: Float64Array, residualNorm: number): KernelObservation {
    let extremes: { lambdaMin: number; lambdaMax: number };
    let kernelDrift: number;
    let moved: { max: number; median: number; frobenius: number };
    if (k === 0 && sameBits(W, W0)) {
      // W = W(0) bit for bit (step 0): H(W) is H0 (the Gram matrix is a deterministic function of W),
      // whose extremes the start computed; ‖H0 − H0‖₂ = 0 and no neuron moved — the values the
      // general route below gives here, without its kernel and two reductions (so later steps,
      // where W has moved, skip the comparison)
      extremes = extremes0;
      kernelDrift = 0;
      moved = { max: 0, median: 0, frobenius: 0 };
    } else {
      normalisedKernel(o.backend, p, W, Hk);
      // a kernel that overflowed along the run (W moved far) is recorded as not measured, not thrown
      const finite = firstNonFinite(Hk) < 0;
      // λ_min, λ_max of H(W(k)) and ‖H(W(k)) − H(W(0))‖₂: two reductions, side by side
      const both = finite ? extremesAndDistance(Hk, Hk, H0, n, o.spectral, o.backend.threads) : null;
      extremes = both ?? { lambdaMin: Number.NaN, lambdaMax: Number.NaN };
      kernelDrift = both?.distance ?? Number.NaN;
      moved = movementStats(W, W0, m, d);
    }
    const obs: KernelObservation = {
      k,
      lambdaMin: extremes.lambdaMin,
      kernelDrift,
      movement: moved.max, // R(k) = max_r ‖w_r(k) − w_r(0)‖₂   (docs/theory.md §4)
      movementMedian: moved.median,
      movementFrobenius: moved.frobenius,
      lambdaMax: extremes.lambdaMax,
      relativeDrift: kernelDrift / initial.lambdaMax0, // ‖H(W(k)) − H(W(0))‖₂ / ‖H(W(0))‖₂, ‖H(W(0))‖₂ = λ_max for a PSD kernel   (§6)
      residualNorm,
    };
    observeResidual(k, residualNorm);
    observations.push(obs);
    return obs;
  }

  function certificateInput(): CertificateInput {
    let minLambdaMin = initial.lambdaMin0;
    let maxKernelDrift = 0;
    let maxMovement = 0;
    for (const ob of observations) {
      minLambdaMin = Math.min(minLambdaMin, ob.lambdaMin);
      maxKernelDrift = Math.max(maxKernelDrift, ob.kernelDrift);
      maxMovement = Math.max(maxMovement, ob.movement);
    }
    return {
      activation: p.activation,
      n,
      lambda,
      eta: etaNtk,
      B,
      rStar: initial.rStar,
      minLambdaMin,
      initDistance: initial.initDistance,
      maxKernelDrift,
      maxMovement,
      maxContraction: Number.isFinite(maxStep) ? maxStep : NaN,
      contractionPerStep: !averaged,
    };
  }

  return {
    initial,
    H0,
    eigenH0: () => (eigen0 ??= eighOfForm(form0)),
    observe,
    observeResidual,
    observations,
    certificateInput,
    certificate: () => certificate(certificateInput()),
  };
}
