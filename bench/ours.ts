/**
 * Our side of the benchmark, run as a child process so that its peak memory (maxRSS) is its own.
 * Usage: ours.ts DIR KIND(step|train|gram|eig) PRECISION REPS THREADS → one JSON line.
 * `step` times the fused kernel one call per step; `train` times whole train() runs of REPS steps
 * (fixed η, no monitor, ε never reached) and reports ms per step of each of 5 runs: what a user's
 * run costs per step, with the trainer's bookkeeping and the batching of steps into native calls.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { NativeBackend } from '../src/backend/native.js';
import type { Problem } from '../src/backend/types.js';
import { ACTIVATIONS } from '../src/activations/index.js';
import type { Meta } from './data.js';
import { readF64 } from './data.js';
import { lambdaMin } from './eig.js';
import { train } from '../src/train/train.js';

function timeit(fn: () => void, reps: number, warmup = 1): number[] {
  for (let k = 0; k < warmup; k++) fn();
  const ts: number[] = [];
  for (let k = 0; k < reps; k++) {
    const t0 = process.hrtime.bigint();
    fn();
    ts.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return ts;
}

const [dir, kind, precision, repsS, threadsS] = process.argv.slice(2);
const reps = Number(repsS);
const threads = Number(threadsS);
const nb = new NativeBackend({ precision: precision === 'f32' ? 'f32' : 'f64', threads });
const f = (name: string): Float64Array => readF64(name, readFileSync(path.join(dir, name)));
const out: Record<string, unknown> = { backend: nb.name, precision: nb.precision, threads: nb.threads };

if (kind === 'eig') {
  const H = f('H.f64');
  const n = Math.round(Math.sqrt(H.length));
  let res = { value: NaN, iterations: 0 };
  out.ms = timeit(() => {
    res = lambdaMin(nb, n, H);
  }, reps);
  out.value = res.value;
  out.iterations = res.iterations;
} else {
  const meta = JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8')) as Meta;
  const p: Problem = {
    n: meta.n, d: meta.d, m: meta.m, X: f('X.f64'), y: f('y.f64'), a: f('a.f64'),
    kappa: meta.kappa, activation: ACTIVATIONS.exp,
  };
  const W = f('W.f64');
  if (kind === 'train') {
    const data = { n: p.n, d: p.d, X: p.X, y: p.y, source: 'bench' };
    const once = (): number => {
      const t0 = process.hrtime.bigint();
      const r = train(data, { model: { m: p.m, seed: 1 }, normalize: 'none', eta: meta.eta, epsilon: 1e-300, maxSteps: reps, backend: nb });
      if (r.steps !== reps) throw new Error(`the run stopped after ${r.steps} of ${reps} steps (${r.status})`);
      return Number(process.hrtime.bigint() - t0) / 1e6 / reps;
    };
    once();
    out.ms = Array.from({ length: 5 }, once);
  } else if (kind === 'gram') {
    const H = new Float64Array(p.n * p.n);
    out.ms = timeit(() => nb.gram(p, W, H), reps);
  } else {
    // one GD iteration: r = u − y, then the fused step (gradient, update, u at the new W)
    const u = new Float64Array(p.n);
    const r = new Float64Array(p.n);
    nb.forward(p, W, u);
    out.ms = timeit(() => {
      for (let i = 0; i < p.n; i++) r[i] = u[i] - p.y[i];
      nb.step(p, W, r, meta.eta, u);
    }, reps);
  }
}
out.maxrss_kb = process.resourceUsage().maxRSS;
process.stdout.write(JSON.stringify(out) + '\n');
