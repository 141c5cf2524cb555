/**
 * The native backend's runSteps (many fused steps in one call, with the trainer's bookkeeping in
 * C++) against the plain route it replaces: one `step` at a time followed by the trainer's own
 * residual, movement, pattern-flip and divergence checks written out here in JavaScript. Bit for
 * bit, for every activation with a native kernel, the centred model, float32, 1 and 2 threads, and
 * each way a call ends (all steps, ε reached, a non-finite output, ‖r‖ past the divergence limit).
 * Then train() with batching against train() on a backend without runSteps: the same run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableIsas, loadAddon, NativeBackend, SINGLE_THREAD_WORK, type NativeIsa } from '../../src/backend/native.js';
import type { Backend, Problem, RunStepsOptions } from '../../src/backend/types.js';
import { ACTIVATION_NAMES } from '../../src/activations/index.js';
import { generateSyntheticWithTest } from '../../src/data/synthetic.js';
import { train, trainMany } from '../../src/train/train.js';
import { runMany, runOne } from '../../src/experiments/run.js';
import { ntkMonitor } from '../../src/theory/train-monitor.js';
import { heldOutMonitor } from '../../src/theory/heldout-monitor.js';
import { bitEqual, makeProblem, stableEta } from './helpers.js';

const loaded = loadAddon();
const skip = 'addon' in loaded && loaded.addon.runSteps ? false : 'native addon without runSteps not built';

/** The trainer's loop of src/train/train.ts, one backend.step at a time, written out independently. */
function oneByOne(be: Backend, p: Problem, W: Float64Array, W0: Float64Array, u: Float64Array, o: RunStepsOptions) {
  const { n, m, d } = p;
  const r = new Float64Array(n);
  const rModel = new Float64Array(n);
  const res = (): number => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      if (o.u0) {
        rModel[i] = o.alpha! * (u[i] - o.u0[i]) - p.y[i];
        r[i] = rModel[i] / o.alpha!;
        s += rModel[i] * rModel[i];
      } else {
        r[i] = u[i] - p.y[i];
        s += r[i] * r[i];
      }
    }
    return Math.sqrt(s);
  };
  let residual = res();
  const out = { residual: [] as number[], movement: [] as number[], flips: [] as number[] };
  let reason = 0;
  for (let b = 0; b < o.steps; b++) {
    if (residual <= o.epsilon) {
      reason = 1;
      break;
    }
    const Wp = Float64Array.from(W);
    const up = Float64Array.from(u);
    be.step(p, W, r, o.eta, u);
    const next = res();
    if (!Number.isFinite(next) || !W.every(Number.isFinite)) {
      W.set(Wp);
      u.set(up);
      res();
      reason = 2;
      break;
    }
    residual = next;
    let best = 0;
    for (let q = 0; q < m; q++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (W[q * d + j] - W0[q * d + j]) ** 2;
      if (s > best) best = s;
    }
    out.residual.push(residual);
    out.movement.push(Math.sqrt(best));
    if (o.flips) out.flips.push(be.patternFlips(p, W0, W));
    if (residual > o.limit) {
      reason = 3;
      break;
    }
  }
  return { out, reason, r, rModel, residual };
}

function compare(name: string, p: Problem, W0: Float64Array, be: NativeBackend, o: Omit<RunStepsOptions, 'residual'>, centred = false): number {
  const { n } = p;
  const u0 = new Float64Array(n);
  be.forward(p, W0, u0);
  const opts: RunStepsOptions = { ...o, residual: NaN, ...(centred ? { alpha: 2.5, u0 } : {}) };
  // the reference route
  const Wa = Float64Array.from(W0);
  const ua = Float64Array.from(u0);
  const a = oneByOne(be, p, Wa, W0, ua, opts);
  // runSteps from the same state: r and ‖r‖ as the trainer has them before the call
  const Wb = Float64Array.from(W0);
  const ub = Float64Array.from(u0);
  const st = oneByOne(be, p, Float64Array.from(W0), W0, Float64Array.from(u0), { ...opts, steps: 0 });
  const rb = Float64Array.from(st.r);
  const rModelb = centred ? Float64Array.from(st.rModel) : rb;
  const out = { residual: new Float64Array(o.steps), movement: new Float64Array(o.steps), ...(o.flips ? { flips: new Float64Array(o.steps) } : {}) };
  const ran = be.runSteps!(p, { W: Wb, W0, y: p.y, u: ub, r: rb, rModel: rModelb }, { ...opts, residual: st.residual }, out);
  assert.equal(ran.reason, a.reason, `${name}: reason`);
  assert.equal(ran.steps, a.out.residual.length, `${name}: steps`);
  assert.ok(bitEqual(Wb, Wa), `${name}: W`);
  assert.ok(bitEqual(ub, ua), `${name}: u`);
  assert.ok(bitEqual(rb, a.r), `${name}: r`);
  if (centred) assert.ok(bitEqual(rModelb, a.rModel), `${name}: F_α − y`);
  assert.ok(bitEqual(out.residual.subarray(0, ran.steps), Float64Array.from(a.out.residual)), `${name}: ‖r‖ per step`);
  assert.ok(bitEqual(out.movement.subarray(0, ran.steps), Float64Array.from(a.out.movement)), `${name}: R per step`);
  if (o.flips) assert.ok(bitEqual(out.flips!.subarray(0, ran.steps), Float64Array.from(a.out.flips)), `${name}: flips per step`);
  return ran.reason;
}

test('runSteps: the same bits as one step at a time with the trainer’s bookkeeping, every native activation, plain and centred, f64 and f32, 1, 2 and 3 threads', { skip }, () => {
  // (23, 5, 70) is above SINGLE_THREAD_WORK: two threads run as a team (api.h run_team), three
  // through the pool, where a worker's range can start inside a half (its sums then partly
  // folded by the worker, partly added by the caller: reduce_folded)
  for (const act of ACTIVATION_NAMES) {
    for (const precision of ['f64', 'f32'] as const) {
      for (const threads of [1, 2, 3]) {
        const be = new NativeBackend({ precision, threads });
        const { p, W } = makeProblem(23, 5, 70, act, 'ntk', 4);
        const eta = stableEta(p, W);
        for (const centred of [false, true]) {
          const reason = compare(`${act} ${precision} ${threads}t ${centred ? 'centred' : 'plain'}`, p, W, be, { steps: 60, eta, epsilon: 1e-300, limit: 1e300, flips: act === 'relu' }, centred);
          assert.equal(reason, 0);
        }
      }
    }
  }
});

test('runSteps: each way a call ends — ε reached before a step, a non-finite output (the last finite state kept, the step not counted), ‖r‖ past the limit — on one thread and on two as a team', { skip }, () => {
  const be = new NativeBackend({ threads: 2 });
  // (16, 4, 40) is below SINGLE_THREAD_WORK: one thread. The others run on two threads as a team
  // (api.h run_team; each thread its half of the neurons): m = 81 with equal halves, m = 65 with
  // halves of unequal panel counts (32 and 33 neurons).
  // grow: the factors on the stable η that make ‖r‖ pass the limit within the call (exp, ReLU)
  for (const [n, d, m, growExp, growRelu] of [
    [16, 4, 40, 2.6, 2.6],
    [24, 5, 81, 4, 3],
    [24, 5, 65, 2.6, 2.6],
  ]) {
    const team = n * m * d >= SINGLE_THREAD_WORK;
    const tag = `(${n}, ${d}, ${m}) ${team ? 'team' : 'one thread'}`;
    const { p, W } = makeProblem(n, d, m, 'exp', 'ntk', 7);
    const eta = stableEta(p, W);
    // ε: a loose target reached within the call
    assert.equal(compare(`ε ${tag}`, p, W, be, { steps: 5000, eta, epsilon: 0.5, limit: 1e300, flips: false }), 1);
    // a step so large that e^{⟨w,x⟩} overflows
    assert.equal(compare(`non-finite ${tag}`, p, W, be, { steps: 50, eta: eta * 1e6, epsilon: 1e-300, limit: Infinity, flips: false }), 2);
    // an unstable step: ‖r‖ grows past a limit of twice its start, finitely
    assert.equal(compare(`limit ${tag}`, p, W, be, { steps: 200, eta: eta * growExp, epsilon: 1e-300, limit: 2 * Math.hypot(...p.y), flips: false }), 3);
    // ReLU: flips per step, and the limit
    const relu = makeProblem(n, d, m, 'relu', 'ntk', 7);
    assert.equal(compare(`relu limit ${tag}`, relu.p, relu.W, be, { steps: 200, eta: stableEta(relu.p, relu.W) * growRelu, epsilon: 1e-300, limit: 3 * Math.hypot(...relu.p.y), flips: true }), 3);
    // the centred model, where F_α − y and r are different arrays
    assert.equal(compare(`centred ${tag}`, p, W, be, { steps: 40, eta, epsilon: 1e-300, limit: 1e300, flips: false }, true), 0);
    // ε reached before the first step: no step is taken
    assert.equal(compare(`ε at the start ${tag}`, p, W, be, { steps: 10, eta, epsilon: 1e300, limit: 1e300, flips: false }), 1);
  }
});

test('runSteps on two threads as a team: repeated calls give the bits of one thread every time, every ISA, f64 and f32, wide and narrow panels', { skip }, () => {
  // the two threads exchange their half sums through flags every step; a missing wait or a
  // buffer reused too early would show as a call whose bits differ, now and then
  for (const isa of availableIsas())
    for (const precision of ['f64', 'f32'] as const)
      for (const [m, calls] of [
        [256, 40],
        [600, 5],
        [40, 5], // narrow panels (m ≤ 49 in f64 on AVX-512)
      ] as const) {
        const { p, W } = makeProblem(32, 8, m, 'exp', 'ntk', 11);
        teamAgainstOne(p, W, isa, precision, calls);
      }
});

/** `calls` runSteps calls of 100 steps on two threads (a team: above SINGLE_THREAD_WORK), each against one thread's bits. */
function teamAgainstOne(p: Problem, W: Float64Array, isa: NativeIsa, precision: 'f64' | 'f32', calls: number): void {
  assert.ok(p.n * p.m * p.d >= SINGLE_THREAD_WORK);
  const eta = stableEta(p, W);
  const tag = `${isa} ${precision} m=${p.m}`;
  const runOn = (be: NativeBackend): Float64Array[] => {
    const Wk = Float64Array.from(W);
    const u = new Float64Array(p.n);
    be.forward(p, Wk, u);
    const r = Float64Array.from(u, (v, i) => v - p.y[i]);
    const out = { residual: new Float64Array(100), movement: new Float64Array(100) };
    const ran = be.runSteps!(p, { W: Wk, W0: W, y: p.y, u, r, rModel: r }, { steps: 100, eta, residual: Math.hypot(...r), epsilon: 1e-300, limit: 1e300, flips: false }, out);
    assert.equal(ran.steps, 100, tag);
    return [Wk, u, r, out.residual, out.movement];
  };
  const one = runOn(new NativeBackend({ isa, precision, threads: 1 }));
  const team = new NativeBackend({ isa, precision, threads: 2 });
  for (let k = 0; k < calls; k++) {
    const got = runOn(team);
    got.forEach((v, i) => assert.ok(bitEqual(v, one[i]), `${tag}, call ${k}: output ${i} differs from one thread's`));
  }
}

test('train(): batched through runSteps and one step at a time give the same run — history, weights, monitors, held-out points — for reportEvery 1 and larger', { skip }, () => {
  const { train: data, test: held } = generateSyntheticWithTest({ inputs: 'sphere', n: 30, d: 6, labels: 'teacher', seed: 2 }, 9);
  const native = new NativeBackend({ threads: 2 });
  // the same kernels without runSteps: the trainer steps one call at a time
  const single: Backend = {
    name: native.name,
    precision: native.precision,
    threads: native.threads,
    forward: native.forward.bind(native),
    gradient: native.gradient.bind(native),
    step: native.step.bind(native),
    jvp: native.jvp.bind(native),
    gram: native.gram.bind(native),
    patternFlips: native.patternFlips.bind(native),
    supports: native.supports.bind(native),
  };
  const strip = (k: string, v: unknown): unknown => (k === 'timeMs' ? 0 : v);
  for (const activation of ['exp', 'relu', 'softmax'] as const) {
    for (const alpha of [undefined, 4]) {
      const seen: number[] = [];
      const reports: { k: number; residual: number; ratio: number; movement: number; flipFraction?: number }[] = [];
      const opts = (backend: Backend, reportEvery?: number) => ({
        model: { m: 128, seed: 3, activation },
        eta: 'auto' as const,
        epsilon: 1e-3,
        maxSteps: 2000,
        backend,
        test: held,
        testEvery: 20,
        ...(alpha !== undefined ? { alpha } : {}),
        ...(reportEvery !== undefined
          ? {
              reportEvery,
              onStep: (s: { k: number; residual: number; ratio: number; movement: number; flipFraction?: number }) => {
                seen.push(s.k);
                reports.push({ k: s.k, residual: s.residual, ratio: s.ratio, movement: s.movement, ...(s.flipFraction !== undefined ? { flipFraction: s.flipFraction } : {}) });
              },
            }
          : {}),
        monitors: { ntk: ntkMonitor(20), heldout: heldOutMonitor(20) },
      });
      const a = train(data, opts(single));
      const b = train(data, opts(native));
      const c = train(data, opts(native, 37));
      for (const [name, x] of [['batched', b], ['batched, reportEvery 37', c]] as const) {
        const what = `${activation}${alpha ? ' α' : ''} ${name}`;
        assert.equal(x.steps, a.steps, what);
        assert.equal(x.status, a.status, what);
        assert.ok(bitEqual(x.model.W, a.model.W), `${what}: W`);
        assert.deepEqual(x.history, a.history, `${what}: history`);
        assert.equal(JSON.stringify(x.monitors, strip), JSON.stringify(a.monitors, strip), `${what}: monitors`);
        assert.equal(JSON.stringify(x.test), JSON.stringify(a.test), `${what}: held-out points`);
      }
      // what a batched run reports at its steps is what the step-at-a-time run recorded there (the
      // last step's ‖r‖ is re-evaluated by the forward pass after the report, so it is left out)
      const h = a.history;
      for (const rep of reports.filter((x) => x.k > 0 && x.k < a.steps)) {
        const what = `${activation}${alpha ? ' α' : ''} report at k = ${rep.k}`;
        assert.equal(rep.residual, h.residual[rep.k], what);
        assert.equal(rep.ratio, h.residual[rep.k] / h.residual[rep.k - 1], `${what}: ratio`);
        assert.equal(rep.movement, h.movement[rep.k], `${what}: movement`);
        assert.equal(rep.flipFraction, h.flipFraction?.[rep.k], `${what}: flip fraction`);
      }
      assert.ok(reports.filter((x) => x.k > 0 && x.k < a.steps).length >= 2, 'reports inside the run were checked');
      // onStep was called at k = 0, at least every 37 steps, and at the last step
      assert.equal(seen[0], 0);
      assert.equal(seen.at(-1), c.steps);
      for (let i = 1; i < seen.length; i++) assert.ok(seen[i] - seen[i - 1] <= 37 && seen[i] > seen[i - 1]);
    }
  }
});

test('trainMany and runMany: several runs whose batches share native calls (runMany: the runs spread over the threads) give each run the bits of its own train() / runOne(), errors kept in place', { skip }, async () => {
  const native = new NativeBackend({ threads: 2 });
  const data = generateSyntheticWithTest({ inputs: 'sphere', n: 24, d: 5, labels: 'normal', seed: 1 }, 5).train;
  const opts = [16, 64, 256].flatMap((m) =>
    (['exp', 'relu', 'softmax'] as const).map((activation, k) => ({ model: { m, seed: k + m, activation }, eta: 'auto' as const, epsilon: 0.01, maxSteps: 5000, backend: native })),
  );
  const many = trainMany([...opts.map((options) => ({ data, options })), { data, options: { ...opts[0], alpha: -1 } }]);
  opts.forEach((o, i) => {
    const alone = train(data, o);
    const x = many[i];
    assert.ok(!(x instanceof Error), String(x));
    assert.equal(x.steps, alone.steps);
    assert.ok(bitEqual(x.model.W, alone.model.W), `run ${i}: W`);
    assert.deepEqual(x.history, alone.history, `run ${i}: history`);
  });
  assert.ok(many.at(-1) instanceof Error, 'the bad run failed in its place');
  const specs = [0, 1, 2, 3].map((seed) => ({
    data: { kind: 'synthetic' as const, inputs: 'sphere' as const, n: 16, d: 6, labels: 'normal' as const, seed: 0 },
    model: { activation: 'exp' as const, scaling: 'ntk' as const, init: 'gaussian' as const, m: 32, seed },
    normalize: 'unit' as const,
    eta: 'auto' as const,
    epsilon: 0.01,
    maxSteps: 20000,
    precision: 'f64' as const,
    monitorEvery: seed % 2 === 0 ? 0 : 25,
  }));
  const heard: string[] = [];
  const rs = await runMany(specs, { backend: native, onResult: (r) => heard.push(r.id) });
  const strip = (r: object | undefined) => JSON.stringify(r, (k, v) => (k === 'timeMs' ? 0 : v));
  specs.forEach((s, i) => assert.equal(strip(rs[i]), strip(runOne(s, native)), `spec ${i}`));
  assert.deepEqual([...heard].sort(), rs.map((r) => r!.id).sort(), 'each result heard once');
  // stopped after the first round of native calls: the runs finished by then are results (the same), the others absent
  const partial = await runMany(specs, { backend: native, shouldStop: () => true });
  partial.forEach((r, i) => assert.ok(r === undefined || strip(r) === strip(rs[i]), `spec ${i}`));
});
