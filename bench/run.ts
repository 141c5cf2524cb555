/**
 * `npm run bench [-- --help]`: one GD step of the exp network (docs/theory.md §2) with our native
 * backend and, side by side on the same data, numpy and PyTorch "as usually written" and
 * "hand-optimised in place"; the Gram matrix at M; λ_min of an n = 2000 kernel; with `--only study`, a
 * whole threshold study against a numpy implementation of the same search (bench/study.ts). Each implementation runs in its own process (peak memory = its maxRSS). The
 * roofline comes from FMA and exp throughputs measured here, now. Never run by the tests.
 *
 * The machine's speed drifts (up to 1.5× within minutes on a shared VM), so a step's ratios are
 * bracketed: our step is timed before and after every peer run, each peer's ratio is its time
 * over the mean of those two of ours, and each peer runs R rounds (default 3); the table shows
 * medians over the rounds and the range of the ratio.
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NativeBackend, loadAddon } from '../src/backend/native.js';
import { type Size, writeKernel, writeProblem } from './data.js';
import { runStudy, staleBuild } from './study.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const USAGE = `usage: npm run bench [-- options]
  --quick              a smoke run: small sizes, 1 round, few repetitions
  --json               print only a JSON report on stdout
  --json-out FILE      print the table and also write the JSON report to FILE
  --threads N          threads for our backend and the peers' BLAS (default: all cores)
  --rounds R           rounds per peer, each bracketed by two runs of ours (default 3; 1 with --quick)
  --only LIST          any of small,step,gram,eig,monitor,study (default: small,step,gram,eig,monitor); small times
                       whole train() runs per step at the sizes threshold studies train (n ≤ 256); study is a whole
                       threshold study (n = 8…64, 10 seeds, exp and ReLU) timed with overparam and
                       with a numpy implementation of the same search, m* compared (bench/study.ts;
                       1–2 minutes here; it times the built library dist/: \`npm run build\` first);
                       not in the default set; its rounds: 1 unless --rounds is given. monitor: the
                       kernel monitor's share of the default run (\`npm start\`, 7 fresh processes, dist/)
  --help               this text`;
function fail(msg: string): never {
  console.error(`bench: ${msg}\n${USAGE}`);
  process.exit(2);
}
let opts: { quick?: boolean; json?: boolean; 'json-out'?: string; threads?: string; rounds?: string; only?: string; help?: boolean };
try {
  opts = parseArgs({
    options: {
      quick: { type: 'boolean' }, json: { type: 'boolean' }, 'json-out': { type: 'string' }, threads: { type: 'string' },
      rounds: { type: 'string' }, only: { type: 'string' }, help: { type: 'boolean' },
    },
    strict: true,
  }).values;
} catch (e) {
  fail((e as Error).message);
}
if (opts.help) {
  console.log(USAGE);
  process.exit(0);
}
const positiveInt = (name: string, v: string): number => {
  const k = Number(v);
  if (!Number.isSafeInteger(k) || k < 1) fail(`--${name} needs a positive integer, got '${v}'`);
  return k;
};
const quick = opts.quick === true;
const asJson = opts.json === true;
const jsonOut = opts['json-out'];
const rounds = opts.rounds !== undefined ? positiveInt('rounds', opts.rounds) : quick ? 1 : 3;
const loaded = loadAddon();
if (!('addon' in loaded)) {
  console.error(`bench: ${loaded.error}`);
  process.exit(1);
}
const addon = loaded.addon;
const threads = opts.threads !== undefined ? positiveInt('threads', opts.threads) : addon.info().hardwareThreads;

/** The sizes threshold studies train by the thousand (issue 15's table and the sizes between). */
const SMALL_SIZES: Size[] = [
  { name: 's32-16', n: 32, d: 8, m: 16 },
  { name: 's32-256', n: 32, d: 8, m: 256 },
  { name: 's64-256', n: 64, d: 8, m: 256 },
  { name: 's64-1024', n: 64, d: 8, m: 1024 },
  { name: 's128-1024', n: 128, d: 8, m: 1024 },
  { name: 's256-4096', n: 256, d: 8, m: 4096 },
];
const SIZES: Size[] = [
  { name: 'S', n: 256, d: 16, m: 4096 },
  { name: 'M', n: 1000, d: 16, m: 16384 },
  { name: 'L', n: 1000, d: 64, m: 65536 },
  { name: 'XL', n: 4000, d: 16, m: 65536 },
];
const parts = new Set((opts.only ?? 'small,step,gram,eig,monitor').split(','));
if ([...parts].some((x) => !['small', 'step', 'gram', 'eig', 'monitor', 'study'].includes(x))) fail(`--only takes a comma-separated list of small, step, gram, eig, monitor, study, got '${opts.only}'`);
const steps: Array<[Size, 'f64' | 'f32']> = !parts.has('step') ? [] : quick
  ? [[SIZES[0], 'f64'], [SIZES[1], 'f64'], [SIZES[1], 'f32']]
  : [[SIZES[0], 'f64'], [SIZES[1], 'f64'], [SIZES[1], 'f32'], [SIZES[2], 'f64'], [SIZES[3], 'f64'], [SIZES[3], 'f32']];
const repsFor = (s: Size): number => (quick ? 3 : s.name === 'S' ? 20 : s.name === 'M' ? 10 : 3);
const peerRepsFor = (s: Size): number => (s.name === 'XL' || s.name === 'L' ? 2 : repsFor(s));
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

// ── roofline: FMA and exp throughput of this machine on `threads` threads ──
// Probed before every measured size; the roofline is the best rate seen in the run, since a bound
// must not sink when a co-tenant slows the machine down.
const nb = new NativeBackend({ threads });
type Prec = 'f64' | 'f32';
const roof = { f64: { flops: 0, exps: 0 }, f32: { flops: 0, exps: 0 } };
let probes = 0;
function probe(): void {
  for (const pr of ['f64', 'f32'] as const) {
    const f32 = pr === 'f32';
    const lanes = (f32 ? 2 : 1) * (nb.isa === 'avx512' ? 8 : nb.isa === 'avx2' ? 4 : 1);
    const fIt = quick ? 2e6 : 1e7;
    const eIt = quick ? 2e4 : 1e5;
    for (let k = 0; k < 3; k++) {
      const tf = addon.probe(nb.isa, f32, 'fma', threads, fIt);
      roof[pr].flops = Math.max(roof[pr].flops, (threads * fIt * 12 * lanes * 2) / tf);
      const te = addon.probe(nb.isa, f32, 'exp', threads, eIt);
      roof[pr].exps = Math.max(roof[pr].exps, (threads * eIt * 256) / te);
    }
  }
  probes++;
}
// The roofline of the issue (measurements.md): the textbook step's (4d+3) flops and one exp per pair
// at the measured FMA and exp rates. Our fused step does more arithmetic than that — three
// length-d dot products (z, gradient, δ = ⟨Δw, x⟩: 6d flops), the u accumulation (2) and the e^δ
// polynomial (~6 flops at the usual degree) — with one exp: its own bound is `kernelBound`.
const kernelBound = (d: number, pr: Prec): number => 1 / ((6 * d + 8) / roof[pr].flops + 1 / roof[pr].exps);
const oneExpBound = (d: number, pr: Prec): number => 1 / ((4 * d + 3) / roof[pr].flops + 1 / roof[pr].exps);

log(`overparam bench — ${nb.name}, ${threads} threads${quick ? ' (quick)' : ''}, ${rounds} round${rounds > 1 ? 's' : ''}`);
if (skipNumpy) log(`numpy peer skipped: ${skipNumpy}`);
if (skipTorch) log(`PyTorch peer skipped: ${skipTorch}`);

const root = mkdtempSync(path.join(tmpdir(), 'overparam-bench-'));
const results: Record<string, unknown>[] = [];
const blasSeen = new Map<string, string>();
const pad = (s: string, w: number): string => (s.length >= w ? s : s + ' '.repeat(w - s.length));
const lpad = (s: string, w: number): string => (s.length >= w ? s : ' '.repeat(w - s.length) + s);

interface Bracketed {
  ours: { ms: number[]; rss: number; value?: number; iterations?: number; error?: string };
  peers: Map<string, { ms: number[]; ratio: number[]; rss: number; value?: number; error?: string }>;
}
/**
 * ours, peer₁, ours, peer₂, ours, … for `rounds` rounds: each peer run is bracketed by two of
 * ours, and its ratio is its time over the mean of those two.
 */
function bracketed(dir: string, kind: string, prec: string, oursReps: number, peers: Peer[], peerReps: number): Bracketed {
  const b: Bracketed = { ours: { ms: [], rss: 0 }, peers: new Map() };
  const timeOurs = (): number | undefined => {
    const o = ours(dir, kind, prec, oursReps);
    if (o.ms === undefined) b.ours.error = o.error;
    else {
      b.ours.ms.push(o.ms);
      b.ours.rss = Math.max(b.ours.rss, o.maxrssMB!);
      b.ours.value = o.value;
      b.ours.iterations = o.iterations;
    }
    return o.ms;
  };
  for (const p of peers) b.peers.set(p.label, { ms: [], ratio: [], rss: 0 });
  let before = timeOurs();
  for (let k = 0; k < rounds; k++) {
    for (const p of peers) {
      const r = peer(p, dir, kind, prec, peerReps);
      const after = timeOurs();
      const e = b.peers.get(p.label)!;
      if (r.blas) blasSeen.set(p.script === 'peer_numpy.py' ? 'numpy' : 'torch', r.blas);
      if (r.ms === undefined) e.error = r.error;
      else {
        e.ms.push(r.ms);
        e.rss = Math.max(e.rss, r.maxrssMB!);
        e.value = r.value;
        if (before !== undefined && after !== undefined) e.ratio.push(r.ms / (0.5 * (before + after)));
      }
      before = after;
    }
  }
  return b;
}
const ratioText = (v: number[]): string =>
  (v.length ? median(v).toFixed(2) : 'n/a') + (v.length > 1 ? ` (${Math.min(...v).toFixed(2)}–${Math.max(...v).toFixed(2)})` : '');
const runnable = (list: Peer[]): Peer[] => list.filter((p) => !skipOf(p));

/**
 * The Gram and λ_min parts: ours and the natural numpy and PyTorch peers, bracketed; one line each
 * (ms, then `detail`, then the peer's ratio) and one JSON row each.
 */
function sideBySide(
  kind: 'gram' | 'eig',
  dir: string,
  reps: number,
  impl: (p: Peer) => string,
  show: { label: (p: Peer) => string; detail: (r: { rss: number; value?: number; iterations?: number }, isOurs: boolean) => string },
): Record<string, unknown>[] {
  const peers = runnable(peerDefs.filter((p) => p.variant === 'natural'));
  const b = bracketed(dir, kind, 'f64', reps, peers, reps);
  const msText = (ms: number | undefined): string => `${lpad(ms?.toFixed(1) ?? 'failed', 10)} ms`;
  const err = (e?: string): string => (e ? ' ' + e : '');
  const oms = b.ours.ms.length ? median(b.ours.ms) : undefined;
  log(`${pad('', 22)}${pad(nb.name, 17)}${msText(oms)}${show.detail(b.ours, true)}${err(b.ours.error)}`);
  const rows: Record<string, unknown>[] = [
    { impl: nb.name, ms: oms, runsMs: b.ours.ms, peakMB: b.ours.rss, value: b.ours.value, iterations: b.ours.iterations, error: b.ours.error },
  ];
  for (const p of peers) {
    const e = b.peers.get(p.label)!;
    const ms = e.ms.length ? median(e.ms) : undefined;
    log(`${pad('', 22)}${pad(show.label(p), 17)}${msText(ms)}${show.detail(e, false)}   ours × ${ratioText(e.ratio)}${err(e.error)}`);
    rows.push({ impl: impl(p), ms, runsMs: e.ms, peakMB: e.rss, value: e.value, oursSpeedup: e.ratio.length ? median(e.ratio) : null, oursSpeedupRounds: e.ratio, error: e.error });
  }
  return rows;
}

const stepRates: Array<{ tag: string; d: number; prec: Prec; rate: number; row: Record<string, unknown> }> = [];
try {
  if (steps.length) {
    log('');
    log('One GD step (forward, gradient, update), float64 unless marked, η = 1e-4, κ = 1/√m, unit-norm rows.');
    log('pairs/s = n·m / time. ours × = peer time / mean of our two runs around it: median over rounds (range).');
    log(`${pad('size', 22)}${pad('implementation', 17)}${lpad('ms/step', 10)}${lpad('M pairs/s', 11)}${lpad('peak MB', 9)}  ours ×`);
  }
  for (const [s, prec] of steps) {
    probe();
    const dir = path.join(root, s.name);
    writeProblem(dir, s);
    const pairs = s.n * s.m;
    const tag = `${s.name} (${s.n},${s.d},${s.m}) ${prec}`;
    const peers = runnable(peerDefs).filter((p) => !(s.name === 'XL' && p.variant !== 'inplace' && quick));
    const b = bracketed(dir, 'step', prec, repsFor(s), peers, peerRepsFor(s));
    const rows: Record<string, unknown>[] = [];
    if (b.ours.ms.length === 0) log(`${pad(tag, 22)}ours failed: ${b.ours.error}`);
    else {
      const ms = median(b.ours.ms);
      const rate = pairs / (ms / 1e3);
      log(`${pad(tag, 22)}${pad(nb.name, 17)}${lpad(ms.toFixed(2), 10)}${lpad((rate / 1e6).toFixed(0), 11)}${lpad(b.ours.rss.toFixed(0), 9)}`);
      const row: Record<string, unknown> = { impl: nb.name, ms, runsMs: b.ours.ms, pairsPerSec: rate, peakMB: b.ours.rss };
      rows.push(row);
      stepRates.push({ tag, d: s.d, prec, rate, row });
    }
    for (const p of peers) {
      const e = b.peers.get(p.label)!;
      if (e.ms.length === 0) {
        log(`${pad('', 22)}${pad(p.label, 17)} failed: ${e.error}`);
        rows.push({ impl: p.label, error: e.error });
        continue;
      }
      const ms = median(e.ms);
      const rate = pairs / (ms / 1e3);
      log(`${pad('', 22)}${pad(p.label, 17)}${lpad(ms.toFixed(2), 10)}${lpad((rate / 1e6).toFixed(0), 11)}${lpad(e.rss.toFixed(0), 9)}  ${ratioText(e.ratio)}`);
      rows.push({ impl: p.label, ms, runsMs: e.ms, pairsPerSec: rate, peakMB: e.rss, oursSpeedup: e.ratio.length ? median(e.ratio) : null, oursSpeedupRounds: e.ratio });
    }
    results.push({ kind: 'step', size: s.name, n: s.n, d: s.d, m: s.m, precision: prec, rounds, rows });
  }

  // ── small networks: whole train() runs per step, against the numpy step ──
  if (parts.has('small')) {
    log('');
    log('Small networks: ms per GD step of a whole train() run (fixed η = 1e-4, no monitor, ε never reached: every');
    log('step taken, the trainer\'s bookkeeping included) against one numpy step; float64, κ = 1/√m, unit-norm rows.');
    log('ours × = peer time / mean of our two runs around it: median over rounds (range); target ≥ 3× the faster numpy at');
    log('(32, 8, 256) and (64, 8, 1024), ≥ 2× at (32, 8, 16) and every size between.');
    log(`${pad('size', 22)}${pad('implementation', 17)}${lpad('µs/step', 10)}  ours ×`);
    const numpyPeers = runnable(peerDefs.filter((p) => p.script === 'peer_numpy.py'));
    for (const s of quick ? SMALL_SIZES.slice(0, 2) : SMALL_SIZES) {
      probe();
      const dir = path.join(root, s.name);
      writeProblem(dir, s);
      const work = s.n * s.m * s.d;
      // enough steps that a run takes ~0.1 s; the peers time single steps, many of them
      const steps = Math.max(200, Math.min(20000, Math.round(2e8 / work)));
      const b = bracketed(dir, 'train', 'f64', steps, numpyPeers, quick ? 200 : Math.max(50, Math.min(3000, Math.round(3e7 / work))));
      const tag = `(${s.n},${s.d},${s.m})`;
      const rows: Record<string, unknown>[] = [];
      const oms = b.ours.ms.length ? median(b.ours.ms) : undefined;
      log(`${pad(tag, 22)}${pad(`${nb.name} train()`, 17)}${lpad(oms === undefined ? 'failed' : (oms * 1e3).toFixed(1), 10)}${b.ours.error ? ' ' + b.ours.error : ''}`);
      rows.push({ impl: `${nb.name} train()`, msPerStep: oms, runsMs: b.ours.ms, steps, error: b.ours.error });
      let best: number[] = [];
      for (const p of numpyPeers) {
        const e = b.peers.get(p.label)!;
        const ms = e.ms.length ? median(e.ms) : undefined;
        log(`${pad('', 22)}${pad(p.label, 17)}${lpad(ms === undefined ? 'failed' : (ms * 1e3).toFixed(1), 10)}  ${ratioText(e.ratio)}${e.error ? ' ' + e.error : ''}`);
        rows.push({ impl: p.label, msPerStep: ms, runsMs: e.ms, oursSpeedup: e.ratio.length ? median(e.ratio) : null, oursSpeedupRounds: e.ratio, error: e.error });
        if (e.ratio.length && (best.length === 0 || median(e.ratio) < median(best))) best = e.ratio;
      }
      results.push({ kind: 'small', n: s.n, d: s.d, m: s.m, rounds, rows, againstFasterNumpy: best.length ? median(best) : null });
    }
  }

  // ── Gram matrix at M ──
  if (parts.has('gram')) {
    probe();
    const s = quick ? SIZES[0] : SIZES[1];
    const dir = path.join(root, s.name);
    writeProblem(dir, s);
    log('');
    log(`Gram matrix H = κ²(XXᵀ)∘(EEᵀ) at ${s.name} (${s.n},${s.d},${s.m}), f64, including the exps`);
    const rows = sideBySide('gram', dir, quick ? 2 : 5, (p) => p.label.split(' ')[0], {
      label: (p) => p.label.split(' ')[0] + ' (X@X.T)*(E@E.T)',
      detail: (r) => `${lpad(r.rss.toFixed(0), 9)} MB`,
    });
    results.push({ kind: 'gram', size: s.name, rounds, rows });
  }

  // ── λ_min of H^cts, n = 2000 ──
  if (parts.has('eig')) {
    const dir = path.join(root, 'kernel');
    writeKernel(dir, eigN, 16);
    log('');
    log(`λ_min of H^cts (ρ e^{1+ρ}), n = ${eigN} unit vectors in d = 16, f64`);
    const name = (p: Peer): string => p.label.split(' ')[0] + ' eigvalsh';
    const rows = sideBySide('eig', dir, quick ? 1 : 3, name, {
      label: name,
      detail: (r, isOurs) => `  λ_min = ${r.value?.toPrecision(12)}` + (isOurs ? ` (Cholesky + ${r.iterations} Lanczos steps on H⁻¹)` : ''),
    });
    rows[0].method = 'potrf + Lanczos(H^-1)';
    results.push({ kind: 'lambdaMin', n: eigN, rounds, rows });
  }

  // ── the kernel monitor's share of the default run (issue 15, item 5) ──
  if (parts.has('monitor')) {
    log('');
    log("Kernel monitor's share of the default run (`npm start`: overparam train, built-in data, --monitor-every auto),");
    log('each a fresh process as a user runs it (cold JIT included): monitor.timeMs / timeMs of its --json output; target ≤ 5 %.');
    const main = path.join(here, '..', 'dist', 'cli', 'main.js');
    const stale = staleBuild();
    if (stale) log(`  WARNING: the built library is out of date (${stale}): this times dist/ as last built; \`npm run build\` to time the sources`);
    const share: number[] = [];
    const mon: number[] = [];
    const run: number[] = [];
    let error: string | undefined;
    for (let k = 0; k < (quick ? 2 : 7); k++) {
      const r = spawnSync(process.execPath, [main, 'train', '--json', ...(opts.threads ? ['--threads', opts.threads] : [])], { encoding: 'utf8' });
      try {
        const j = JSON.parse(r.stdout) as { timeMs: number; monitor: { timeMs: number; every: number } };
        mon.push(j.monitor.timeMs);
        run.push(j.timeMs);
        share.push(j.monitor.timeMs / j.timeMs);
      } catch {
        error = `the run failed (exit ${r.status}; run \`npm run build\` first): ${r.stderr.trim().split('\n').pop() ?? ''}`;
        break;
      }
    }
    if (share.length) {
      const pct = (v: number): string => `${(100 * v).toFixed(1)} %`;
      log(`  monitor ${median(mon).toFixed(1)} ms of ${median(run).toFixed(1)} ms (medians of ${share.length}); share ${pct(median(share))} (${pct(Math.min(...share))} … ${pct(Math.max(...share))})`);
    } else log(`  ${error}`);
    results.push({ kind: 'monitor', staleBuild: stale, runs: share.length, monitorMs: mon, runMs: run, share, medianShare: share.length ? median(share) : null, error });
  }

  // ── a whole threshold study, overparam against numpy (issue 15, item 3) ──
  if (parts.has('study')) {
    const studyRounds = opts.rounds !== undefined ? rounds : 1;
    results.push(runStudy({ quick, threads, rounds: studyRounds, root, skipNumpy, log }));
  }

  // ── roofline, from the best probe of the run ──
  if (stepRates.length) log('');
  if (stepRates.length) log(`Roofline (best of ${probes} probes in this run): FMA ${(roof.f64.flops / 1e9).toFixed(0)} GFLOP/s f64, ${(roof.f32.flops / 1e9).toFixed(0)} f32; ` +
    `our vector exp ${(roof.f64.exps / 1e9).toFixed(2)} G/s f64, ${(roof.f32.exps / 1e9).toFixed(2)} f32.`);
  if (stepRates.length) log('Single-exp roofline: (4d+3) flops + 1 exp a pair; our kernel\'s own bound: (6d+8) flops + 1 exp a pair.');
  for (const { tag, d, prec, rate, row } of stepRates) {
    const ob = oneExpBound(d, prec);
    const kb = kernelBound(d, prec);
    log(`${pad(tag, 22)}${lpad((rate / 1e6).toFixed(0), 6)}M pairs/s = ${lpad(((100 * rate) / ob).toFixed(0), 3)}% of the roofline ${(ob / 1e6).toFixed(0)}M/s, ` +
      `${((100 * rate) / kb).toFixed(0)}% of our kernel's bound ${(kb / 1e6).toFixed(0)}M/s`);
    Object.assign(row, { oneExpBound: ob, rooflineFraction: rate / ob, kernelBound: kb, kernelFraction: rate / kb });
  }
  log('');
  for (const [k, v] of blasSeen) log(`${k} BLAS: ${v}`);
} finally {
  rmSync(root, { recursive: true, force: true });
}

const report = JSON.stringify({ backend: nb.name, threads, quick, rounds, probes, roofline: roof, blas: Object.fromEntries(blasSeen), results }, null, 2) + '\n';
if (asJson) process.stdout.write(report);
if (jsonOut) {
  writeFileSync(jsonOut, report);
  log(`JSON written to ${jsonOut}`);
}
