/**
 * `npm run bench [-- --quick] [-- --json] [-- --threads N]`: one GD step of the exp network
 * (theory.md §2) with our native backend and, side by side on the same data, numpy and PyTorch
 * "as usually written" and "hand-optimised in place"; the Gram matrix at M; λ_min of an n = 2000
 * kernel. Each implementation runs in its own process (peak memory = its maxRSS). The roofline
 * comes from FMA and exp throughputs measured here, now. Never run by the tests.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NativeBackend, loadAddon } from '../src/backend/native.js';
import { type Size, writeKernel, writeProblem } from './data.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const asJson = args.includes('--json');
const tIdx = args.indexOf('--threads');
const loaded = loadAddon();
if (!('addon' in loaded)) {
  console.error(`bench: ${loaded.error}`);
  process.exit(1);
}
const addon = loaded.addon;
const threads = tIdx >= 0 ? Number(args[tIdx + 1]) : addon.info().hardwareThreads;

const SIZES: Size[] = [
  { name: 'S', n: 256, d: 16, m: 4096 },
  { name: 'M', n: 1000, d: 16, m: 16384 },
  { name: 'L', n: 1000, d: 64, m: 65536 },
  { name: 'XL', n: 4000, d: 16, m: 65536 },
];
const steps: Array<[Size, 'f64' | 'f32']> = quick
  ? [[SIZES[0], 'f64'], [SIZES[1], 'f64'], [SIZES[1], 'f32']]
  : [[SIZES[0], 'f64'], [SIZES[1], 'f64'], [SIZES[1], 'f32'], [SIZES[2], 'f64'], [SIZES[3], 'f64'], [SIZES[3], 'f32']];
const repsFor = (s: Size): number => (quick ? 3 : s.name === 'S' ? 20 : s.name === 'M' ? 10 : 4);
const eigN = quick ? 500 : 2000;

const blasEnv = { OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) };
const TORCH_ENV = {
  LD_LIBRARY_PATH: '/usr/lib/x86_64-linux-gnu/openblas-openmp',
  OPENBLAS_CORETYPE: 'SkylakeX',
};

interface Peer {
  label: string;
  cmd: string;
  script: string;
  variant: string;
  env: Record<string, string>;
}
const peerDefs: Peer[] = [
  { label: 'numpy natural', cmd: 'python3', script: 'peer_numpy.py', variant: 'natural', env: {} },
  { label: 'numpy in-place', cmd: 'python3', script: 'peer_numpy.py', variant: 'inplace', env: {} },
  { label: 'torch natural', cmd: '/usr/bin/python3', script: 'peer_torch.py', variant: 'natural', env: TORCH_ENV },
  { label: 'torch autograd', cmd: '/usr/bin/python3', script: 'peer_torch.py', variant: 'autograd', env: TORCH_ENV },
  { label: 'torch in-place', cmd: '/usr/bin/python3', script: 'peer_torch.py', variant: 'inplace', env: TORCH_ENV },
];

const log = (s: string): void => {
  if (!asJson) process.stdout.write(s + '\n');
};

function available(cmd: string, mod: string, env: Record<string, string>): string | null {
  const r = spawnSync(cmd, ['-c', `import ${mod}`], { env: { ...process.env, ...env }, encoding: 'utf8' });
  if (r.error) return `${cmd} not found`;
  if (r.status !== 0) return `${cmd} cannot import ${mod}${mod === 'torch' ? ' (run bench/setup-peers.sh)' : ''}`;
  return null;
}
const skipNumpy = available('python3', 'numpy', {});
const skipTorch = available('/usr/bin/python3', 'torch', TORCH_ENV);
const skipOf = (p: Peer): string | null => (p.script === 'peer_numpy.py' ? skipNumpy : skipTorch);

interface Run {
  ms?: number;
  maxrssMB?: number;
  blas?: string;
  value?: number;
  iterations?: number;
  error?: string;
}
const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
};
function run(cmd: string, argv: string[], env: Record<string, string>): Run {
  const r = spawnSync(cmd, argv, {
    cwd: here,
    env: { ...process.env, ...blasEnv, ...env },
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    timeout: 900_000,
  });
  const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  try {
    const o = JSON.parse(line) as { ms: number[]; maxrss_kb: number; blas?: string; value?: number; iterations?: number };
    return { ms: median(o.ms), maxrssMB: o.maxrss_kb / 1024, blas: o.blas, value: o.value, iterations: o.iterations };
  } catch {
    const err = (r.stderr ?? '').trim().split('\n').filter(Boolean).pop() ?? `exit ${r.status}`;
    return { error: err.slice(0, 200) };
  }
}
const ours = (dir: string, kind: string, prec: string, reps: number): Run =>
  run(process.execPath, ['--import', 'tsx', path.join(here, 'ours.ts'), dir, kind, prec, String(reps), String(threads)], {});
const peer = (p: Peer, dir: string, kind: string, prec: string, reps: number): Run =>
  run(p.cmd, [path.join(here, p.script), dir, kind, p.variant, prec, String(reps), String(threads)], p.env);

// ── roofline: FMA and exp throughput of this machine, now, on `threads` threads ──
const nb = new NativeBackend({ threads });
function probe(f32: boolean): { flops: number; exps: number } {
  const lanes = f32 ? 2 * (nb.isa === 'avx512' ? 8 : nb.isa === 'avx2' ? 4 : 1) : nb.isa === 'avx512' ? 8 : nb.isa === 'avx2' ? 4 : 1;
  const fIt = quick ? 2e6 : 1e7;
  const eIt = quick ? 2e4 : 1e5;
  let flops = 0;
  let exps = 0;
  for (let k = 0; k < 3; k++) {
    const tf = addon.probe(nb.isa, f32, 'fma', threads, fIt);
    flops = Math.max(flops, (threads * fIt * 12 * lanes * 2) / tf);
    const te = addon.probe(nb.isa, f32, 'exp', threads, eIt);
    exps = Math.max(exps, (threads * eIt * 256) / te);
  }
  return { flops, exps };
}
const roof = { f64: probe(false), f32: probe(true) };
// The roofline of the issue (measurements.md): the textbook step's (4d+3) flops and one exp per pair
// at the measured FMA and exp rates. Our fused step does more arithmetic than that — three
// length-d dot products (z, gradient, δ = ⟨Δw, x⟩: 6d flops), the u accumulation (2) and the e^δ
// polynomial (~6 flops at the usual degree) — with one exp: its own bound is `kernelBound`.
const kernelBound = (d: number, pr: 'f64' | 'f32'): number => 1 / ((6 * d + 8) / roof[pr].flops + 1 / roof[pr].exps);
const oneExpBound = (d: number, pr: 'f64' | 'f32'): number => 1 / ((4 * d + 3) / roof[pr].flops + 1 / roof[pr].exps);

log(`overparam bench — ${nb.name}, ${threads} threads${quick ? ' (quick)' : ''}`);
log(`machine now: FMA ${(roof.f64.flops / 1e9).toFixed(0)} GFLOP/s f64, ${(roof.f32.flops / 1e9).toFixed(0)} f32; ` +
  `our vector exp ${(roof.f64.exps / 1e9).toFixed(2)} G/s f64, ${(roof.f32.exps / 1e9).toFixed(2)} f32`);
if (skipNumpy) log(`numpy peer skipped: ${skipNumpy}`);
if (skipTorch) log(`PyTorch peer skipped: ${skipTorch}`);

const root = mkdtempSync(path.join(tmpdir(), 'overparam-bench-'));
const results: Record<string, unknown>[] = [];
const blasSeen = new Map<string, string>();
const pad = (s: string, w: number): string => (s.length >= w ? s : s + ' '.repeat(w - s.length));
const lpad = (s: string, w: number): string => (s.length >= w ? s : ' '.repeat(w - s.length) + s);

try {
  log('');
  log('One GD step (forward, gradient, update). pairs/s = n·m / time; ratio = peer time / our time.');
  log(`${pad('size', 22)}${pad('implementation', 17)}${lpad('ms/step', 10)}${lpad('M pairs/s', 11)}${lpad('peak MB', 9)}${lpad('ours ×', 8)}  roofline`);
  for (const [s, prec] of steps) {
    const dir = path.join(root, s.name);
    writeProblem(dir, s);
    const reps = repsFor(s);
    const pairs = s.n * s.m;
    const o = ours(dir, 'step', prec, reps);
    const tag = `${s.name} (${s.n},${s.d},${s.m}) ${prec}`;
    const rows: Record<string, unknown>[] = [];
    const kb = kernelBound(s.d, prec);
    const ob = oneExpBound(s.d, prec);
    if (o.ms === undefined) log(`${pad(tag, 22)}ours failed: ${o.error}`);
    else {
      const rate = pairs / (o.ms / 1e3);
      log(`${pad(tag, 22)}${pad(nb.name, 17)}${lpad(o.ms.toFixed(2), 10)}${lpad((rate / 1e6).toFixed(0), 11)}${lpad(o.maxrssMB!.toFixed(0), 9)}${lpad('', 8)}  ` +
        `${((100 * rate) / ob).toFixed(0)}% of roofline ${(ob / 1e6).toFixed(0)}M/s; ${((100 * rate) / kb).toFixed(0)}% of our kernel's bound ${(kb / 1e6).toFixed(0)}M/s`);
      rows.push({ impl: nb.name, ms: o.ms, pairsPerSec: rate, peakMB: o.maxrssMB, oneExpBound: ob, rooflineFraction: rate / ob, kernelBound: kb, kernelFraction: rate / kb });
    }
    for (const p of peerDefs) {
      const why = skipOf(p);
      if (why) continue;
      if (s.name === 'XL' && p.variant !== 'inplace' && quick) continue;
      const r = peer(p, dir, 'step', prec, Math.min(reps, s.name === 'XL' || s.name === 'L' ? 3 : reps));
      if (r.blas) blasSeen.set(p.script === 'peer_numpy.py' ? 'numpy' : 'torch', r.blas);
      if (r.ms === undefined) {
        log(`${pad('', 22)}${pad(p.label, 17)} failed: ${r.error}`);
        rows.push({ impl: p.label, error: r.error });
        continue;
      }
      const rate = pairs / (r.ms / 1e3);
      const ratio = o.ms !== undefined ? r.ms / o.ms : NaN;
      log(`${pad('', 22)}${pad(p.label, 17)}${lpad(r.ms.toFixed(2), 10)}${lpad((rate / 1e6).toFixed(0), 11)}${lpad(r.maxrssMB!.toFixed(0), 9)}${lpad(ratio.toFixed(2), 8)}`);
      rows.push({ impl: p.label, ms: r.ms, pairsPerSec: rate, peakMB: r.maxrssMB, oursSpeedup: ratio });
    }
    results.push({ kind: 'step', size: s.name, n: s.n, d: s.d, m: s.m, precision: prec, rows });
  }

  // ── Gram matrix at M ──
  {
    const s = quick ? SIZES[0] : SIZES[1];
    const dir = path.join(root, s.name);
    const reps = quick ? 2 : 5;
    log('');
    log(`Gram matrix H = κ²(XXᵀ)∘(EEᵀ) at ${s.name} (${s.n},${s.d},${s.m}), f64, including the exps`);
    const o = ours(dir, 'gram', 'f64', reps);
    const rows: Record<string, unknown>[] = [];
    log(`${pad('', 22)}${pad(nb.name, 17)}${lpad(o.ms?.toFixed(1) ?? 'failed', 10)} ms${lpad(o.maxrssMB?.toFixed(0) ?? '', 9)} MB`);
    rows.push({ impl: nb.name, ms: o.ms, peakMB: o.maxrssMB, error: o.error });
    for (const p of [peerDefs[0], peerDefs[2]]) {
      if (skipOf(p)) continue;
      const r = peer(p, dir, 'gram', 'f64', reps);
      const ratio = r.ms !== undefined && o.ms !== undefined ? r.ms / o.ms : NaN;
      log(`${pad('', 22)}${pad(p.label.split(' ')[0] + ' (X@X.T)*(E@E.T)', 17)}${lpad(r.ms?.toFixed(1) ?? 'failed', 10)} ms${lpad(r.maxrssMB?.toFixed(0) ?? '', 9)} MB   ours × ${ratio.toFixed(2)}${r.error ? ' ' + r.error : ''}`);
      rows.push({ impl: p.label.split(' ')[0], ms: r.ms, peakMB: r.maxrssMB, oursSpeedup: ratio, error: r.error });
    }
    results.push({ kind: 'gram', size: s.name, rows });
  }

  // ── λ_min of H^cts, n = 2000 ──
  {
    const dir = path.join(root, 'kernel');
    writeKernel(dir, eigN, 16);
    const reps = quick ? 1 : 3;
    log('');
    log(`λ_min of H^cts (ρ e^{1+ρ}), n = ${eigN} unit vectors in d = 16, f64`);
    const o = ours(dir, 'eig', 'f64', reps);
    const rows: Record<string, unknown>[] = [];
    log(`${pad('', 22)}${pad(nb.name, 17)}${lpad(o.ms?.toFixed(1) ?? 'failed', 10)} ms  λ_min = ${o.value?.toPrecision(12)} (Cholesky + ${o.iterations} Lanczos steps on H⁻¹)${o.error ? ' ' + o.error : ''}`);
    rows.push({ impl: nb.name, ms: o.ms, value: o.value, iterations: o.iterations, method: 'potrf + Lanczos(H^-1)' });
    for (const p of [peerDefs[0], peerDefs[2]]) {
      if (skipOf(p)) continue;
      const r = peer(p, dir, 'eig', 'f64', reps);
      const ratio = r.ms !== undefined && o.ms !== undefined ? r.ms / o.ms : NaN;
      log(`${pad('', 22)}${pad(p.label.split(' ')[0] + ' eigvalsh', 17)}${lpad(r.ms?.toFixed(1) ?? 'failed', 10)} ms  λ_min = ${r.value?.toPrecision(12)}   ours × ${ratio.toFixed(2)}${r.error ? ' ' + r.error : ''}`);
      rows.push({ impl: p.label.split(' ')[0] + ' eigvalsh', ms: r.ms, value: r.value, oursSpeedup: ratio });
    }
    results.push({ kind: 'lambdaMin', n: eigN, rows });
  }
  log('');
  for (const [k, v] of blasSeen) log(`${k} BLAS: ${v}`);
} finally {
  rmSync(root, { recursive: true, force: true });
}

if (asJson) {
  process.stdout.write(
    JSON.stringify({ backend: nb.name, threads, quick, roofline: roof, blas: Object.fromEntries(blasSeen), results }, null, 2) + '\n',
  );
}
