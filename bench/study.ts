/**
 * `npm run bench -- --only study` (issue 15, item 3): a whole threshold study, timed end to end,
 * with overparam (the built library's thresholdStudy, as `overparam threshold` runs it: a worker
 * pool per probe, results file and all; bench/study_ours.ts) and with a numpy implementation of the
 * same search (bench/peer_study.py: the probes' runs spread over one process per core). Both train on
 * the same X, y, W(0), a (exported by our side) with the same η, ε, budget and divergence rule, so
 * they must find the same m*; every run both did is compared as well (status, steps, final residual).
 *
 * Timing is bracketed as in the rest of the bench: ours, numpy, ours (R rounds: R numpy runs between
 * R + 1 of ours), and each numpy run's ratio is its wall time over the mean of the two of ours around it.
 *
 * Not in the default set (`--only study`): it needs a fresh dist/ and takes 1–2 minutes here, most of
 * it in the runs at the widths just below m*, which spend the whole 20 000-step budget. The protocol,
 * its η and why a quarter of 1/λ_max(H^lim): studyProtocol below.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Manifest, RunOutcome, SearchOutcome } from './study_ours.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');

/** The fixed protocol; everything both sides need beyond the exported arrays. */
export interface StudyProtocol {
  d: number;
  n: number[];
  seeds: number[];
  activations: Array<'exp' | 'relu'>;
  init: 'gaussian';
  scaling: 'ntk';
  normalize: 'unit';
  inputs: 'sphere';
  labels: 'normal';
  dataSeed: number;
  epsilon: number;
  maxSteps: number;
  /** The grid m0·2^{j/g}, rounded to even (threshold.ts gridWidth), searched between mMin and mMax. */
  m0: number;
  gridPerDoubling: number;
  mMin: number;
  mMax: number;
  /** Allowed failure fraction over the seeds: success needs rate ≥ 1 − δ. */
  delta: number;
  /** η = etaFactor / λ_max(H^lim) of the data, one per (activation, n). */
  etaFactor: number;
}

export function studyProtocol(quick: boolean): StudyProtocol {
  return {
    d: 8,
    n: quick ? [8, 16] : [8, 16, 32, 64],
    seeds: Array.from({ length: quick ? 5 : 10 }, (_, k) => k),
    activations: ['exp', 'relu'],
    init: 'gaussian',
    scaling: 'ntk',
    normalize: 'unit',
    inputs: 'sphere',
    labels: 'normal',
    dataSeed: 0,
    epsilon: 0.01,
    maxSteps: 20_000,
    m0: 8,
    gridPerDoubling: 2,
    mMin: 2, // searchThreshold's default, which `overparam threshold` uses
    mMax: 4096,
    delta: 0,
    // a quarter of the full step 1/λ_max(H^lim): at the widths that decide m* (4–32) the empirical kernel's
    // λ_max(H(W(0))) is up to ~6.6× the limit's (exp, m = 8), so the full step puts those runs past GD's
    // stability edge 2/λ_max, where the residual oscillates chaotically and two implementations' 1e-16
    // rounding differences grow to O(1) within a few hundred steps (measured: with the full step, 22 of
    // 240 runs stopped at different steps, up to 4864 apart; with the quarter step 2 of 260, 2 and 24 apart)
    etaFactor: 0.25,
  };
}

/** The first source file newer than its build (dist/ is what the study times), or null. */
export function staleBuild(): string | null {
  const walk = (rel: string): string | null => {
    for (const e of readdirSync(path.join(repo, 'src', rel), { withFileTypes: true })) {
      const r = path.join(rel, e.name);
      if (e.isDirectory()) {
        const s = walk(r);
        if (s) return s;
      } else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
        const js = path.join(repo, 'dist', r.replace(/\.ts$/, '.js'));
        let built = -Infinity;
        try {
          built = statSync(js).mtimeMs;
        } catch {
          return `dist/${r.replace(/\.ts$/, '.js')} is missing`;
        }
        if (statSync(path.join(repo, 'src', r)).mtimeMs > built) return `src/${r} is newer than its build`;
      }
    }
    return null;
  };
  return walk('');
}

interface Side {
  ms?: number;
  searches?: SearchOutcome[];
  runs?: RunOutcome[];
  maxrssMB?: number;
  blas?: string;
  numpy?: string;
  error?: string;
}

function child(cmd: string, argv: string[], env: Record<string, string> = {}): Side & Record<string, unknown> {
  const r = spawnSync(cmd, argv, { cwd: here, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 28, timeout: 3_600_000 });
  const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  try {
    const o = JSON.parse(line) as Side & { maxrss_kb?: number } & Record<string, unknown>;
    if (o.maxrss_kb !== undefined) o.maxrssMB = o.maxrss_kb / 1024;
    return o;
  } catch {
    const err = (r.stderr ?? '').trim().split('\n').filter(Boolean).pop() ?? (r.error ? String(r.error) : `exit ${r.status}`);
    return { error: err.slice(0, 300) };
  }
}

const key = (r: { activation: string; n: number; m?: number; seed?: number }): string => `${r.activation}/${r.n}` + (r.m !== undefined ? `/m${r.m}/s${r.seed}` : '');
const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
};
const pad = (s: string, w: number): string => (s.length >= w ? s : s + ' '.repeat(w - s.length));
const lpad = (s: string, w: number): string => (s.length >= w ? s : ' '.repeat(w - s.length) + s);
const relDiff = (a: number | null, b: number | null): number => (a === null || b === null ? NaN : a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b)));
const probesText = (s?: SearchOutcome): string => (s ? s.probes.map((p) => `${p.m}:${Math.round(p.rate * 100)}%`).join(' ') : '-');
const mText = (s?: SearchOutcome): string => (!s ? 'n/a' : s.undetermined !== undefined ? 'undet.' : s.mStar === null ? 'none' : String(s.mStar));

export interface StudyOptions {
  quick: boolean;
  threads: number;
  rounds: number;
  root: string;
  /** Why the numpy peer cannot run (null: it can). */
  skipNumpy: string | null;
  log: (s: string) => void;
}

export function runStudy(o: StudyOptions): Record<string, unknown> {
  const { log } = o;
  const proto = studyProtocol(o.quick);
  const seedsText = proto.seeds.length > 1 ? `${proto.seeds[0]}–${proto.seeds[proto.seeds.length - 1]}` : String(proto.seeds[0]);
  log('');
  log(`Threshold study${o.quick ? ' (quick: fewer n and seeds)' : ''}: m* = the width the search of src/experiments/threshold.ts finds on the grid ${proto.m0}·2^{j/${proto.gridPerDoubling}} (rounded to even, ${proto.mMin}…${proto.mMax}):`);
  log(`  the smallest at which all ${proto.seeds.length} seeds (${seedsText}) reach ‖F(W,X) − y‖₂ ≤ ε = ${proto.epsilon} within ${proto.maxSteps} steps (δ = ${proto.delta}); probes double/halve from m0 = ${proto.m0}, then bisect.`);
  log(`  n = ${proto.n.join(', ')} points uniform on S^${proto.d - 1} (d = ${proto.d}), y ~ N(0,1), data seed ${proto.dataSeed}, unit-normalised; ${proto.activations.join(' and ')}; Gaussian init, NTK scaling κ = 1/√m; float64.`);
  log(`  η per (activation, n) = ${proto.etaFactor}/λ_max(H^lim) of the data, computed by overparam and given to both (a fixed step: with the full step 1/λ_max(H^lim)`);
  log(`  the small widths that decide m* run past GD's stability edge, chaotically); divergence: ‖r‖ > 1000·max(‖r(0)‖, ε) or non-finite.`);
  log(`  Both train on the same X, y, W(0), a (exported by overparam) and search every (activation, n) at once, in rounds: each round runs the next probe of`);
  log(`  every unfinished search together. ours: the built library's thresholdSearches (dist/, as \`overparam threshold\`), ${o.threads} threads, native backend,`);
  log(`  monitorEvery 0, one fresh results file; numpy: bench/peer_study.py, the same searches and rounds, each round one pool.map over ${o.threads} processes (1 BLAS thread each).`);
  log(`  Timed ours, numpy, ours (${o.rounds} round${o.rounds > 1 ? 's' : ''}); numpy ÷ ours = numpy's wall time over the mean of ours' two around it.`);
  const row: Record<string, unknown> = { kind: 'study', protocol: proto, rounds: o.rounds, workers: o.threads };
  // dist/ is what is timed: say so loudly when the sources have moved on (other work in progress)
  const stale = staleBuild();
  if (stale) {
    log(`  WARNING: the built library is out of date (${stale}): this times dist/ as last built; \`npm run build\` to time the sources`);
    row.staleBuild = stale;
  }
  const dir = path.join(o.root, 'study');
  mkdirSync(dir, { recursive: true });
  const protoFile = path.join(dir, 'protocol.json');
  writeFileSync(protoFile, JSON.stringify(proto));
  const tsx = ['--import', 'tsx', path.join(here, 'study_ours.ts')];
  const prep = child(process.execPath, [...tsx, 'prepare', dir, protoFile]) as { error?: string; eta?: Record<string, number>; lambdaMax?: Record<string, number> };
  if (prep.error || !prep.eta) {
    log(`  preparation failed (is dist/ built? \`npm run build\`): ${prep.error}`);
    return { ...row, error: prep.error };
  }
  row.eta = prep.eta;
  row.lambdaMax = prep.lambdaMax;
  log(`  η: ${Object.entries(prep.eta).map(([k, v]) => `${k} ${v.toPrecision(6)}`).join(', ')}`);

  const oursRuns: Side[] = [];
  const peerRuns: Side[] = [];
  const ratios: number[] = [];
  const runOurs = (): Side => {
    const r = child(process.execPath, [...tsx, 'run', dir, String(o.threads)]);
    oursRuns.push(r);
    return r;
  };
  let before = runOurs();
  for (let k = 0; k < o.rounds && !o.skipNumpy; k++) {
    const p = child('python3', [path.join(here, 'peer_study.py'), dir, String(o.threads)], { PYTHONDONTWRITEBYTECODE: '1' });
    peerRuns.push(p);
    const after = runOurs();
    if (p.ms !== undefined && before.ms !== undefined && after.ms !== undefined) ratios.push(p.ms / (0.5 * (before.ms + after.ms)));
    before = after;
  }
  const ours = oursRuns.find((r) => r.ms !== undefined);
  const peer = peerRuns.find((r) => r.ms !== undefined);
  const okOurs = oursRuns.filter((r) => r.ms !== undefined);
  const okPeer = peerRuns.filter((r) => r.ms !== undefined);
  const backends = [...new Set((ours?.runs ?? []).map((r) => r.backend ?? '?'))];
  const steps = (s?: Side): number => (s?.runs ?? []).reduce((t, r) => t + r.steps, 0);

  // ── wall times ──
  log('');
  log(`${pad('implementation', 40)}${lpad('wall s', 9)}${lpad('runs', 7)}${lpad('GD steps', 11)}${lpad('µs/step', 9)}${lpad('peak MB', 9)}  numpy ÷ ours`);
  const sideLine = (label: string, runs: Side[], extra: string): void => {
    const ok = runs.filter((r) => r.ms !== undefined);
    if (ok.length === 0) {
      log(`${pad(label, 40)} failed: ${runs[0]?.error ?? 'not run'}`);
      return;
    }
    const ms = median(ok.map((r) => r.ms!));
    const st = steps(ok[0]);
    const times = ok.length > 1 ? ` (runs: ${ok.map((r) => (r.ms! / 1e3).toFixed(1)).join(', ')} s)` : '';
    log(`${pad(label, 40)}${lpad((ms / 1e3).toFixed(2), 9)}${lpad(String(ok[0].runs!.length), 7)}${lpad(String(st), 11)}${lpad(((o.threads * ms * 1e3) / st).toFixed(1), 9)}${lpad(Math.max(...ok.map((r) => r.maxrssMB ?? 0)).toFixed(0), 9)}  ${extra}${times}`);
  };
  sideLine(`overparam (${backends.join(', ')}, ${o.threads} workers)`, oursRuns, '');
  const ratioText = ratios.length ? `${median(ratios).toFixed(2)}×` + (ratios.length > 1 ? ` (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})` : '') : 'n/a';
  if (o.skipNumpy) log(`${pad('numpy', 40)} skipped: ${o.skipNumpy}`);
  else sideLine(`numpy ${peer?.numpy ?? ''} (${o.threads} processes)`, peerRuns, ratioText);
  log(`  µs/step = workers × wall ÷ GD steps: the mean cost of a step on one core, everything included (worker starts, results files, imbalance).`);
  const inRuns = (label: string, s?: Side): void => {
    if (!s?.runs || s.ms === undefined) return;
    const t = s.runs.reduce((a, r) => a + r.timeMs, 0);
    const probes = (s.searches ?? []).reduce((a, x) => a + x.probes.length, 0);
    log(`  ${label}: the runs themselves ${(t / 1e3).toFixed(2)} s (${((o.threads * t * 1e3) / steps(s)).toFixed(1)} µs/step), ÷ ${o.threads} = ${(t / o.threads / 1e3).toFixed(2)} s of the wall ${(s.ms / 1e3).toFixed(2)} s;` +
      ` the other ${((s.ms - t / o.threads) / 1e3).toFixed(2)} s: ${probes} probes' starts and the rounds' waits for their slowest run`);
  };
  // ours trains a round's runs together, several per native call: a run's timeMs is its share of the batch, not its own cost
  log(`  ours: the rounds' runs train together, several per native call on both threads, so no run has a time of its own to add up here`);
  inRuns('numpy', peer);

  // ── m* side by side ──
  const byKey = (s?: Side): Map<string, SearchOutcome> => new Map((s?.searches ?? []).map((x) => [key(x), x]));
  const so = byKey(ours);
  const sp = byKey(peer);
  log('');
  log(`m*${' '.repeat(5)}${proto.activations.map((a) => pad(`${a}: ours  numpy`, 22)).join('')}  probes (width:success rate), ours`);
  const table: Array<Record<string, unknown>> = [];
  let identical = ours !== undefined && peer !== undefined;
  let probesIdentical = identical;
  for (const n of proto.n) {
    let line = pad(`n = ${n}`, 7);
    const probeParts: string[] = [];
    for (const act of proto.activations) {
      const a = so.get(key({ activation: act, n }));
      const b = sp.get(key({ activation: act, n }));
      const same = a !== undefined && b !== undefined && a.mStar === b.mStar && a.undetermined === undefined && b.undetermined === undefined;
      const sameProbes = same && JSON.stringify(a.probes) === JSON.stringify(b.probes);
      identical &&= same;
      probesIdentical &&= sameProbes;
      line += pad(`${lpad(mText(a), 10)}${lpad(mText(b), 7)}${same ? '' : ' ≠'}`, 22);
      probeParts.push(`${act} ${probesText(a)}${b && !sameProbes ? ` | numpy ${probesText(b)}` : ''}`);
      table.push({ activation: act, n, ours: a?.mStar ?? null, numpy: b?.mStar ?? null, same, oursProbes: a?.probes, numpyProbes: b?.probes, ...(a?.undetermined ? { oursUndetermined: a.undetermined } : {}) });
    }
    log(`${line}  ${probeParts.join('; ')}`);
  }
  if (ours && peer) log(`m* identical: ${identical ? 'yes' : 'NO'}${identical ? (probesIdentical ? ' (every probe\'s success rate too)' : ' (but some probes\' success rates differ)') : ''}`);

  // ── run by run ──
  let compare: Record<string, unknown> | undefined;
  if (ours?.runs && peer?.runs) {
    const mine = new Map(ours.runs.map((r) => [key(r), r]));
    const pairs = peer.runs.filter((q) => mine.has(key(q))).map((q) => ({ q, r: mine.get(key(q))! }));
    const statusDiffers = pairs.filter(({ q, r }) => q.status !== r.status);
    const maxInit = pairs.reduce((t, { q, r }) => Math.max(t, relDiff(r.initialResidual, q.initialResidual) || 0), 0);
    const byStatus: Record<string, Record<string, number>> = {};
    for (const st of ['converged', 'max-steps', 'diverged']) {
      const same = pairs.filter(({ q, r }) => q.status === st && r.status === st);
      if (same.length === 0) continue;
      const dSteps = same.map(({ q, r }) => Math.abs(q.steps - r.steps));
      let worst = { diff: 0, at: NaN };
      for (const { q, r } of same) {
        const dr = relDiff(r.residual, q.residual);
        if (dr > worst.diff) worst = { diff: dr, at: r.residual ?? NaN };
      }
      byStatus[st] = { runs: same.length, sameSteps: dSteps.filter((x) => x === 0).length, maxStepsApart: Math.max(...dSteps), maxResidualRelDiff: worst.diff, atResidual: worst.at };
    }
    // a run the budget or ε decides narrowly: converged in the last tenth of the budget, or stopped by it within 2ε
    const near = (r: RunOutcome): boolean => (r.status === 'converged' && r.steps > 0.9 * proto.maxSteps) || (r.status === 'max-steps' && r.residual !== null && r.residual < 2 * proto.epsilon);
    const narrow = pairs.filter(({ q, r }) => near(q) || near(r));
    const borderline = {
      runs: narrow.length,
      maxResidualRelDiff: narrow.reduce((t, { q, r }) => Math.max(t, relDiff(r.residual, q.residual) || 0), 0),
      maxStepsApart: narrow.reduce((t, { q, r }) => Math.max(t, Math.abs(q.steps - r.steps)), 0),
      tightest: [...narrow]
        .sort(({ r: a }, { r: b }) => (a.status === 'max-steps' ? a.residual! / proto.epsilon - 1 : (proto.maxSteps - a.steps) / proto.maxSteps) - (b.status === 'max-steps' ? b.residual! / proto.epsilon - 1 : (proto.maxSteps - b.steps) / proto.maxSteps))
        .slice(0, 3)
        .map(({ q, r }) => ({ run: key(q), ours: { status: r.status, steps: r.steps, residual: r.residual }, numpy: { status: q.status, steps: q.steps, residual: q.residual } })),
    };
    compare = {
      common: pairs.length, oursOnly: ours.runs.length - pairs.length, numpyOnly: peer.runs.length - pairs.length, sameStatus: pairs.length - statusDiffers.length,
      maxInitialResidualRelDiff: maxInit, byStatus, borderline,
      statusDiffers: statusDiffers.map(({ q, r }) => ({ run: key(q), ours: { status: r.status, steps: r.steps, residual: r.residual }, numpy: { status: q.status, steps: q.steps, residual: q.residual }, residualRelDiff: relDiff(r.residual, q.residual) })),
    };
    log('');
    log(`Run by run: ${pairs.length} runs done by both (ours only ${ours.runs.length - pairs.length}, numpy only ${peer.runs.length - pairs.length}); ‖r(0)‖ agree to ${maxInit.toExponential(1)} (relative, max): the same inputs.`);
    log(`  status identical in ${pairs.length - statusDiffers.length} of ${pairs.length}; of those:`);
    for (const [st, b] of Object.entries(byStatus)) {
      log(`    ${pad(st, 10)} ${lpad(String(b.runs), 4)} runs: stopped at the same step in ${b.sameSteps}${b.sameSteps < b.runs ? ` (at most ${b.maxStepsApart} steps apart)` : ''}, final ‖r‖ to ${b.maxResidualRelDiff.toExponential(1)} (relative, max${b.maxResidualRelDiff > 0 ? `, at ‖r‖ = ${b.atResidual.toPrecision(3)}` : ''})`);
    }
    for (const { q, r } of statusDiffers.slice(0, 12)) {
      log(`  status differs: ${key(q)}: ours ${r.status} after ${r.steps} steps at ‖r‖ = ${r.residual?.toPrecision(6)}, numpy ${q.status} after ${q.steps} at ${q.residual?.toPrecision(6)} (relative difference ${relDiff(r.residual, q.residual).toExponential(2)})`);
    }
    if (statusDiffers.length > 12) log(`  … and ${statusDiffers.length - 12} more (in the JSON)`);
    const narrowText = `  Runs the budget decides narrowly (converged after ${0.9 * proto.maxSteps} steps, or stopped by it below 2ε): ${borderline.runs}`;
    if (borderline.runs === 0) log(narrowText + '.');
    else {
      log(`${narrowText}; there the two agree to ${borderline.maxResidualRelDiff.toExponential(1)} in final ‖r‖ (relative, max) and ${borderline.maxStepsApart} steps.`);
      log('  Tightest: ' + borderline.tightest.map((t) => `${t.run} ${t.ours.status === 'max-steps' ? `‖r‖ = ${(t.ours.residual! / proto.epsilon).toFixed(5)}ε vs numpy ${(t.numpy.residual! / proto.epsilon).toFixed(5)}ε` : `ε at step ${t.ours.steps} vs numpy ${t.numpy.steps}`}`).join('; ') + '.');
    }
  }
  // ours is deterministic: every repetition must find the same searches and the same runs
  const sig = (s: Side): string => JSON.stringify([s.searches, [...(s.runs ?? [])].map((r) => [key(r), r.status, r.steps, r.residual]).sort()]);
  const repeatsAgree = okOurs.every((r) => sig(r) === sig(okOurs[0]));
  if (okOurs.length > 1) log(`ours' ${okOurs.length} repetitions: ${repeatsAgree ? 'identical searches and runs, bit for bit' : 'DIFFER (nondeterminism!)'}`);
  if (peer?.blas) log(`numpy BLAS: ${peer.blas}`);
  return {
    ...row,
    ours: { impl: `overparam ${backends.join(',')}`, ms: okOurs.length ? median(okOurs.map((r) => r.ms!)) : null, runsMs: okOurs.map((r) => r.ms), runs: ours?.runs?.length ?? null, steps: steps(ours), runsOwnMs: (ours?.runs ?? []).reduce((a, r) => a + r.timeMs, 0), peakMB: Math.max(0, ...okOurs.map((r) => r.maxrssMB ?? 0)), repeatsIdentical: repeatsAgree, error: ours ? undefined : oursRuns[0]?.error },
    numpy: o.skipNumpy
      ? { skipped: o.skipNumpy }
      : { impl: `numpy ${peer?.numpy ?? ''}`, blas: peer?.blas, ms: okPeer.length ? median(okPeer.map((r) => r.ms!)) : null, runsMs: okPeer.map((r) => r.ms), runs: peer?.runs?.length ?? null, steps: steps(peer), runsOwnMs: (peer?.runs ?? []).reduce((a, r) => a + r.timeMs, 0), peakMB: Math.max(0, ...okPeer.map((r) => r.maxrssMB ?? 0)), error: peer ? undefined : peerRuns[0]?.error },
    oursSpeedup: ratios.length ? median(ratios) : null,
    oursSpeedupRounds: ratios,
    mStar: table,
    mStarIdentical: ours && peer ? identical : null,
    probesIdentical: ours && peer ? probesIdentical : null,
    runByRun: compare ?? null,
  };
}

export type { Manifest };
