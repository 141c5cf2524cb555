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
 */
import type { Backend, Problem } from '../backend/types.js';
import { DataError } from '../errors.js';
import { spectralDistance } from '../kernel/distance.js';
import { normalisedKernel, ntkNormalisation } from '../kernel/empirical.js';
import { infiniteKernel } from '../kernel/infinite.js';
import { kernelLambdaMin, lambdaMin as denseLambdaMin } from '../linalg/eigh.js';
import type { SpectralNormOptions } from '../linalg/dense.js';
import { movement } from '../model/movement.js';
import { observedB, rStar } from './bounds.js';
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
  /** η κ² m: the step on the NTK scale. */
  readonly etaNtk: number;
}

export interface KernelMonitor {
  readonly initial: KernelMonitorInitial;
  /** The NTK-normalised H(W(0)) (n×n); e.g. for the linearised prediction with initial.etaNtk. */
  readonly H0: Float64Array;
  observe(k: number, W: Float64Array, residualNorm: number): KernelObservation;
  /** O(1): feeds ‖r(k)‖ for the per-step contraction; call it every step. */
  observeResidual(k: number, residualNorm: number): void;
  readonly observations: readonly KernelObservation[];
  /** The measured values the certificate is built from. */
  certificateInput(): CertificateInput;
  certificate(): CertificateRow[];
}

export function createKernelMonitor(o: KernelMonitorOptions): KernelMonitor {
  const p = o.problem;
  const { n, d, m } = p;
  if (o.W0.length !== m * d) throw new RangeError(`W0 has ${o.W0.length} entries, expected m·d = ${m * d}`);
  const W0 = Float64Array.from(o.W0);
  const limit = o.limit ?? infiniteKernel(p.activation, p.X, n, d);
  const lambda = o.lambda ?? kernelLambdaMin(limit, n);
  const H0 = normalisedKernel(o.backend, p, W0);
  const bad = H0.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    throw new DataError(`the kernel H(W(0)) is ${H0[bad]} at entry (${Math.floor(bad / n) + 1}, ${(bad % n) + 1}): σ'(⟨w_r, x_i⟩) overflows for these inputs (the theory assumes ‖x‖ ≤ 1)`, {
      field: 'normalize',
      hints: [{ field: 'normalize', value: 'unit' }],
    });
  }
  const B = observedB(p.X, n, d, W0, m);
  const etaNtk = o.eta / ntkNormalisation(p); // η κ² m
  const initial: KernelMonitorInitial = {
    lambda,
    B,
    rStar: lambda > 0 ? rStar(lambda, n, B) : Number.NaN, // no R* for a singular limit kernel
    initDistance: spectralDistance(H0, limit, n, o.spectral),
    lambdaMin0: denseLambdaMin(H0, n),
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
    normalisedKernel(o.backend, p, W, Hk);
    // a kernel that overflowed along the run (W moved far) is recorded as not measured, not thrown
    const finite = Hk.every(Number.isFinite);
    const obs: KernelObservation = {
      k,
      lambdaMin: finite ? denseLambdaMin(Hk, n) : Number.NaN,
      kernelDrift: finite ? spectralDistance(Hk, H0, n, o.spectral) : Number.NaN,
      movement: movement(W, W0, m, d), // R(k) = max_r ‖w_r(k) − w_r(0)‖₂   (docs/theory.md §4)
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
    observe,
    observeResidual,
    observations,
    certificateInput,
    certificate: () => certificate(certificateInput()),
  };
}
