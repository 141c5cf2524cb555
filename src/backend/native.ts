/**
 * The native backend: a Node-API addon (native/, C++17) with one set of kernels per instruction
 * set (AVX-512, AVX2+FMA, portable scalar), chosen at run time. Same functions of docs/theory.md
 * §1–3 and §5 as the reference backend, fused and multithreaded, for the network forms whose
 * kernel ids the addon lists (`info().activations`: exp, ReLU, cosh, sinh, softmax in this build);
 * see native/README.md for the design.
 *
 * - precision 'f64' computes in float64; 'f32' evaluates the network in float32 (X converted once
 *   per Problem and cached, W converted per panel) while W itself is still updated in float64.
 * - Results are bit-identical for every thread count and from run to run: the neurons are split
 *   into a fixed set of chunks independent of the thread count, and per-chunk partial outputs
 *   are summed in chunk order.
 *
 * Besides the Backend interface the class offers float64 dense helpers for eigenvalue work:
 * `symv` (y = A x, A symmetric n×n, full storage), `gemm` (C = A B, row-major), `potrf`
 * (Cholesky, in place) and `potrs` (solve with the factor), plus the kernels' own vector exp, cosh
 * and sinh (`vexp`, `vfun`, for accuracy tests) and throughput probes.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { OptionError } from '../errors.js';
import type { Activation, Backend, Precision, Problem, RunJob, RunState, RunStepsOptions, RunStepsOut, RunStepsResult } from './types.js';

/** The instruction sets the addon is built for, fastest first. */
export type NativeIsa = 'avx512' | 'avx2' | 'scalar';

/** The elementwise functions the kernels evaluate themselves (native/src/api.h, OvVfun). */
export type NativeVfun = 'exp' | 'cosh' | 'sinh';

interface NativeProblem {
  n: number;
  d: number;
  m: number;
  X: Float64Array | Float32Array;
  a: Float64Array;
  kappa: number;
  /** The activation's native kernel id (activations/*.ts `native`, native/src/api.h OvActivation); the addon refuses unknown ids with a RangeError. */
  act: number;
}

/** The raw addon (native/src/addon.cc). */
export interface NativeAddon {
  /** `activations`: the kernel ids this build has (absent in addons built before it was reported: then exp and ReLU, [0, 1]). */
  info(): { isas: NativeIsa[]; hardwareThreads: number; activations?: number[] };
  forward(isa: string, f32: boolean, p: NativeProblem, W: Float64Array, u: Float64Array, threads: number): void;
  gradient(isa: string, f32: boolean, p: NativeProblem, W: Float64Array, r: Float64Array, G: Float64Array, threads: number): void;
  step(isa: string, f32: boolean, p: NativeProblem, W: Float64Array, r: Float64Array, eta: number, u: Float64Array, threads: number): void;
  /** Absent in addons built before it (then the trainer steps one call at a time). */
  runSteps?(
    isa: string,
    f32: boolean,
    p: NativeProblem,
    W: Float64Array,
    W0: Float64Array,
    y: Float64Array,
    u: Float64Array,
    r: Float64Array,
    rModel: Float64Array,
    eta: number,
    opts: { steps: number; residual: number; epsilon: number; limit: number; alpha?: number; u0?: Float64Array; flips: boolean },
    out: RunStepsOut,
    threads: number,
  ): RunStepsResult;
  /** Absent in addons built before it. Jobs: [prob, W, W0, y, u, r, rModel, eta, opts, out]. */
  runMany?(isa: string, f32: boolean, jobs: unknown[][], threads: number): RunStepsResult[];
  jvp(isa: string, f32: boolean, p: NativeProblem, W: Float64Array, V: Float64Array, out: Float64Array, threads: number): void;
  gram(isa: string, f32: boolean, p: NativeProblem, W: Float64Array, H: Float64Array, threads: number): void;
  flips(isa: string, f32: boolean, p: NativeProblem, W0: Float64Array, W: Float64Array, threads: number): number;
  vexp(isa: string, f32: boolean, x: Float64Array, y: Float64Array): void;
  vfun(isa: string, f32: boolean, fn: NativeVfun, x: Float64Array, y: Float64Array): void;
  symv(isa: string, n: number, A: Float64Array, x: Float64Array, y: Float64Array, threads: number): void;
  gemm(isa: string, m: number, n: number, k: number, A: Float64Array, B: Float64Array, C: Float64Array, threads: number): void;
  potrf(isa: string, n: number, A: Float64Array, threads: number): number;
  potrs(isa: string, n: number, L: Float64Array, b: Float64Array): void;
  probe(isa: string, f32: boolean, kind: 'fma' | 'exp', threads: number, iters: number): number;
}

/** Where the addon lives relative to this file (src/backend or dist/backend → native/build). */
export const ADDON_PATH = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'native',
  'build',
  'Release',
  'overparam.node',
);

let cached: { addon: NativeAddon } | { error: string } | undefined;

/** Loads the addon once; returns it, or the reason it cannot be used. */
export function loadAddon(): { addon: NativeAddon } | { error: string } {
  if (cached) return cached;
  try {
    const require = createRequire(import.meta.url);
    cached = { addon: require(ADDON_PATH) as NativeAddon };
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    cached = { error: `native addon not loaded (${msg}); build it with \`npm run build:native\`` };
  }
  return cached;
}

/** ISAs the running CPU supports in this build, fastest first; empty if the addon is missing. */
export function availableIsas(): NativeIsa[] {
  const l = loadAddon();
  return 'addon' in l ? l.addon.info().isas : [];
}

export interface NativeOptions {
  precision?: Precision;
  /** Worker threads; default all hardware threads. */
  threads?: number;
  /** Force an instruction set (tests, benchmarks); default the fastest available. */
  isa?: NativeIsa;
}

/**
 * Below this much work per call (multiply-adds: n·m·d for a step, n²·m for a Gram matrix) the
 * kernels run on the calling thread: handing a job to the pool's spinning worker costs ~1 µs,
 * more than the second core saves on a call this small (when it was set, bench/RESULTS.md "small
 * networks": two threads won from (32, 8, 16) on, and for the Gram matrix from n = 16 at m = 4096).
 * On 2026-12-04 a run of steps at (32, 8, 16) took 0.81 µs a step on one thread and 0.87–0.95 on
 * two as a team, and at (16, 8, 64) 1.31 against 1.02 (native/README.md): near the break-even.
 * Results are the same bits for every thread count, so this changes only the time.
 */
export const SINGLE_THREAD_WORK = 2 ** 12;

/**
 * The same for a single pass (forward, gradient, jvp, pattern flips) called on its own, between
 * other work: the pool's worker has then usually gone to sleep (it spins 300 µs), and waking it
 * costs ~45 µs. Measured on this machine (2026-12-03, median of 200 calls): one thread is faster
 * up to n·m·d = 2¹⁸ with the worker asleep and ties there with it spinning (forward (128, 256, 8):
 * 26 against 54 µs asleep, 20 against 18 µs awake; gradient likewise). A study's runs each begin
 * and end with a forward pass.
 */
export const SINGLE_PASS_WORK = 2 ** 18;

/** X in float32, converted once per Problem object. */
const x32Cache = new WeakMap<Problem, Float32Array>();

export class NativeBackend implements Backend {
  readonly name: string;
  readonly precision: Precision;
  readonly threads: number;
  readonly isa: NativeIsa;
  private readonly addon: NativeAddon;
  private readonly f32: boolean;
  /** Native kernel ids this build of the addon has (api.h). */
  private readonly kernels: ReadonlySet<number>;

  constructor(opts: NativeOptions = {}) {
    const l = loadAddon();
    if (!('addon' in l)) throw new Error(l.error);
    this.addon = l.addon;
    const info = this.addon.info();
    const isa = opts.isa ?? info.isas[0];
    if (!info.isas.includes(isa)) throw new Error(`instruction set ${isa} is not available on this CPU`);
    this.isa = isa;
    this.precision = opts.precision ?? 'f64';
    this.f32 = this.precision === 'f32';
    const t = opts.threads ?? info.hardwareThreads;
    if (!Number.isInteger(t) || t < 1) throw new RangeError(`threads must be a positive integer, got ${t}`);
    this.threads = t;
    this.name = `native-${isa}`;
    this.kernels = new Set(info.activations ?? [0, 1]);
    const many = this.addon.runMany;
    if (many) {
      this.runMany = (jobs) => {
        for (const j of jobs) if (j.o.alpha !== undefined && j.o.u0 === undefined) throw new RangeError('the centred model needs u0 = F(W(0), X)');
        return many(this.isa, this.f32, jobs.map((j) => [this.prob(j.p), j.s.W, j.s.W0, j.s.y, j.s.u, j.s.r, j.s.rModel, j.o.eta, j.o, j.out]), this.threads);
      };
    }
    const run = this.addon.runSteps;
    if (run) {
      this.runSteps = (p, s, o, out) => {
        if (o.alpha !== undefined && o.u0 === undefined) throw new RangeError('the centred model needs u0 = F(W(0), X)');
        return run(this.isa, this.f32, this.prob(p), s.W, s.W0, s.y, s.u, s.r, s.rModel, o.eta, o, out, this.threadsFor(p.n * p.m * p.d));
      };
    }
  }

  /** Many fused steps in one call, with the trainer's bookkeeping in C++ (native/src/addon.cc RunSteps): the same bits as one `step` at a time. Absent with an addon built before it. */
  readonly runSteps?: (p: Problem, s: RunState, o: RunStepsOptions, out: RunStepsOut) => RunStepsResult;
  /** Several runs' batches in one native call, the runs spread over the threads (each on one); each run's bits are those of runSteps. */
  readonly runMany?: (jobs: readonly RunJob[]) => RunStepsResult[];

  /** The threads a call of this much work runs on: one below `single` (SINGLE_THREAD_WORK; a single pass: SINGLE_PASS_WORK). */
  private threadsFor(work: number, single = SINGLE_THREAD_WORK): number {
    return work < single ? 1 : this.threads;
  }

  supports(activation: Activation): boolean {
    return activation.native !== null && this.kernels.has(activation.native);
  }

  private prob(p: Problem): NativeProblem {
    if (!this.supports(p.activation)) {
      // never a silent fallback to another activation's kernel
      throw new OptionError(`the native backend has no kernel for the activation '${p.activation.name}'; use the reference backend`, { field: 'backend' });
    }
    let X: Float64Array | Float32Array = p.X;
    if (this.f32) {
      let x = x32Cache.get(p);
      if (!x) {
        x = Float32Array.from(p.X);
        x32Cache.set(p, x);
      }
      X = x;
    }
    return { n: p.n, d: p.d, m: p.m, X, a: p.a, kappa: p.kappa, act: p.activation.native! };
  }

  forward(p: Problem, W: Float64Array, u: Float64Array): void {
    this.addon.forward(this.isa, this.f32, this.prob(p), W, u, this.threadsFor(p.n * p.m * p.d, SINGLE_PASS_WORK));
  }
  gradient(p: Problem, W: Float64Array, r: Float64Array, G: Float64Array): void {
    this.addon.gradient(this.isa, this.f32, this.prob(p), W, r, G, this.threadsFor(p.n * p.m * p.d, SINGLE_PASS_WORK));
  }
  /** Fused: per panel of neurons, gradient at W, update, then u at the new W (docs/theory.md §2, §5). */
  step(p: Problem, W: Float64Array, r: Float64Array, eta: number, u: Float64Array): void {
    this.addon.step(this.isa, this.f32, this.prob(p), W, r, eta, u, this.threadsFor(p.n * p.m * p.d));
  }
  jvp(p: Problem, W: Float64Array, V: Float64Array, out: Float64Array): void {
    this.addon.jvp(this.isa, this.f32, this.prob(p), W, V, out, this.threadsFor(p.n * p.m * p.d, SINGLE_PASS_WORK));
  }
  gram(p: Problem, W: Float64Array, H: Float64Array): void {
    // the Gram kernel's threads share each block of neurons' row-block tiles and sample panels (native/src/gram.inl); (64, 8, 4096): 0.39 ms on one thread, 0.29 ms on two (2026-12-03)
    this.addon.gram(this.isa, this.f32, this.prob(p), W, H, this.threadsFor(p.n * p.n * p.m));
  }
  patternFlips(p: Problem, W0: Float64Array, W: Float64Array): number {
    return this.addon.flips(this.isa, this.f32, this.prob(p), W0, W, this.threadsFor(p.n * p.m * p.d, SINGLE_PASS_WORK));
  }

  /** y = exp(x) with this backend's vector exp, in its precision (for accuracy tests). */
  vexp(x: Float64Array, y: Float64Array): void {
    this.addon.vexp(this.isa, this.f32, x, y);
  }
  /** y = fn(x) elementwise as this backend's kernels compute exp, cosh or sinh, in its precision (for accuracy tests). */
  vfun(fn: NativeVfun, x: Float64Array, y: Float64Array): void {
    this.addon.vfun(this.isa, this.f32, fn, x, y);
  }
  /** y = A x for a symmetric n×n A in full row-major storage (float64, multithreaded, deterministic). */
  symv(n: number, A: Float64Array, x: Float64Array, y: Float64Array): void {
    this.addon.symv(this.isa, n, A, x, y, this.threads);
  }
  /** C = A B, row-major, A m×k, B k×n (float64). */
  gemm(m: number, n: number, k: number, A: Float64Array, B: Float64Array, C: Float64Array): void {
    this.addon.gemm(this.isa, m, n, k, A, B, C, this.threads);
  }
  /**
   * Cholesky factor of a symmetric positive definite n×n A, in place: on return the lower
   * triangle holds L with A = L Lᵀ and the strict upper triangle is 0. Reads the lower triangle.
   * Returns 0, or k > 0 when the leading k×k minor is not positive definite (A is then garbage).
   */
  potrf(n: number, A: Float64Array): number {
    return this.addon.potrf(this.isa, n, A, this.threads);
  }
  /** Solves (L Lᵀ) x = b in place of b, with L from `potrf`. */
  potrs(n: number, L: Float64Array, b: Float64Array): void {
    this.addon.potrs(this.isa, n, L, b);
  }
}
