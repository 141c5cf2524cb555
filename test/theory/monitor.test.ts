import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReferenceBackend } from '../../src/backend/reference.js';
import type { Problem } from '../../src/backend/types.js';
import { ACTIVATIONS } from '../../src/activations/index.js';
import { drawGaussianW, drawSigns } from '../../src/kernel/init.js';
import { Rng } from '../../src/random/xoshiro.js';
import { createKernelMonitor } from '../../src/theory/monitor.js';
import { certificate } from '../../src/theory/certificate.js';
import { eigvalsh } from '../../src/linalg/eigh.js';

function run(scaling: 'ntk' | 'none', steps: number) {
  const n = 6;
  const d = 3;
  const m = 400;
  const rng = new Rng(5, 'test-data');
  const X = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = 0; t < d; t++) s += (X[i * d + t] = rng.normal()) ** 2;
    for (let t = 0; t < d; t++) X[i * d + t] /= Math.sqrt(s);
  }
  const y0 = rng.fillNormal(new Float64Array(n));
  const init = new Rng(3, 'init');
  const W = drawGaussianW(m, d, init);
  const a = drawSigns(m, init);
  // "none" with y·√m and η/m follows exactly the same W trajectory as "ntk" (r scales by √m)
  const kappa = scaling === 'ntk' ? 1 / Math.sqrt(m) : 1;
  const y = scaling === 'ntk' ? y0 : y0.map((v) => v * Math.sqrt(m));
  const eta = scaling === 'ntk' ? 0.02 : 0.02 / m;
  const p: Problem = { n, d, m, X, y, a, kappa, activation: ACTIVATIONS.exp };
  const be = new ReferenceBackend();
  const mon = createKernelMonitor({ backend: be, problem: p, W0: W, eta });
  const u = new Float64Array(n);
  const r = new Float64Array(n);
  be.forward(p, W, u);
  const resid = (): number => {
    for (let i = 0; i < n; i++) r[i] = u[i] - y[i];
    return Math.sqrt(r.reduce((s, v) => s + v * v, 0));
  };
  const W0 = Float64Array.from(W);
  mon.observe(0, W, resid());
  for (let k = 1; k <= steps; k++) {
    be.step(p, W, r, eta, u);
    const rn = resid();
    mon.observeResidual(k, rn);
    if (k % 5 === 0) mon.observe(k, W, rn);
  }
  return { mon, W, W0, m, d, scaling, p, be };
}

test('kernel monitor: plain records, movement by direct computation, k = 0 has no drift', () => {
  const { mon, W, W0, m, d } = run('ntk', 20);
  const obs = mon.observations;
  assert.equal(obs.length, 5);
  assert.equal(obs[0].kernelDrift, 0);
  assert.equal(obs[0].movement, 0);
  assert.equal(obs[0].lambdaMin, mon.initial.lambdaMin0);
  let R = 0;
  for (let r = 0; r < m; r++) {
    let s = 0;
    for (let t = 0; t < d; t++) s += (W[r * d + t] - W0[r * d + t]) ** 2;
    R = Math.max(R, Math.sqrt(s));
  }
  assert.ok(Math.abs(obs[4].movement - R) < 1e-15 * Math.max(1, R));
  assert.ok(obs[4].kernelDrift > 0 && obs[4].movement > 0);
  assert.ok(obs.every((o) => o.residualNorm > 0 && Number.isFinite(o.lambdaMin)));
  assert.deepEqual(Object.keys(JSON.parse(JSON.stringify(obs[1]))).sort(), ['k', 'kernelDrift', 'lambdaMax', 'lambdaMin', 'movement', 'movementFrobenius', 'movementMedian', 'relativeDrift', 'residualNorm']);
  // the spread of the movement (docs/theory.md §6), by direct computation: median of the per-neuron norms (m even), Frobenius norm
  const norms = Array.from({ length: m }, (_, r) => Math.hypot(...Array.from({ length: d }, (_, t) => W[r * d + t] - W0[r * d + t]))).sort((x, y) => x - y);
  const median = (norms[m / 2 - 1] + norms[m / 2]) / 2;
  const frob = Math.hypot(...norms);
  assert.ok(Math.abs(obs[4].movementMedian - median) < 1e-14 * median, `median ${obs[4].movementMedian} vs ${median}`);
  assert.ok(Math.abs(obs[4].movementFrobenius - frob) < 1e-14 * frob, `Frobenius ${obs[4].movementFrobenius} vs ${frob}`);
  assert.ok(obs[4].movementMedian < obs[4].movement && obs[4].movement < obs[4].movementFrobenius);
  assert.equal(obs[0].movementMedian, 0);
  assert.equal(obs[0].movementFrobenius, 0);
  const input = mon.certificateInput();
  assert.equal(input.contractionPerStep, true);
  assert.ok(input.maxContraction > 0 && input.maxContraction < 1, `contraction ${input.maxContraction}`);
  const rows = mon.certificate();
  assert.equal(rows.length, 6);
  for (const row of rows) {
    assert.match(row.ref, /^docs\/theory\.md §4[A-D]$/);
    assert.equal(row.held, row.comparison === '≤' ? row.measured <= row.threshold : row.measured >= row.threshold);
  }
});

test('kernel monitor: λ_max(H(W(k))) and the relative kernel change against an independent eigensolver (QL, not bisection)', () => {
  const { mon, W, p, be } = run('ntk', 20);
  const n = p.n;
  const H = new Float64Array(n * n);
  be.gram(p, W, H);
  const H0 = mon.H0;
  const top = (A: Float64Array): number => eigvalsh(A, n)[n - 1];
  const last = mon.observations[4];
  assert.ok(Math.abs(last.lambdaMax - top(H)) < 1e-12 * top(H), `λ_max ${last.lambdaMax} vs ${top(H)}`);
  assert.ok(Math.abs(mon.initial.lambdaMax0 - top(H0)) < 1e-12 * top(H0));
  // ‖H(W(k)) − H(W(0))‖₂ / ‖H(W(0))‖₂ with the spectral norm of the difference as max |eigenvalue|
  const D = H.map((v, k) => v - H0[k]);
  const ev = eigvalsh(D, n);
  const spec = Math.max(Math.abs(ev[0]), Math.abs(ev[n - 1]));
  assert.ok(Math.abs(last.relativeDrift - spec / top(H0)) < 1e-10 * (spec / top(H0)), `relative drift ${last.relativeDrift} vs ${spec / top(H0)}`);
  assert.equal(mon.initial.stabilityLimit, 2 / mon.initial.etaNtk);
  assert.equal(mon.observations[0].relativeDrift, 0);
});

test('kernel monitor: "none" scaling with η/m reports the same NTK-scale quantities as "ntk"', () => {
  const a = run('ntk', 10).mon;
  const b = run('none', 10).mon;
  const rel = (x: number, y: number): number => Math.abs(x - y) / Math.max(1e-300, Math.abs(x));
  assert.ok(rel(a.initial.etaNtk, b.initial.etaNtk) < 1e-12);
  assert.ok(rel(a.initial.initDistance, b.initial.initDistance) < 1e-9);
  a.observations.forEach((o, k) => {
    const q = b.observations[k];
    assert.ok(rel(o.lambdaMin, q.lambdaMin) < 1e-8, 'λ_min');
    assert.ok(k === 0 || rel(o.kernelDrift, q.kernelDrift) < 1e-6, 'drift');
    assert.ok(k === 0 || rel(o.movement, q.movement) < 1e-6, 'movement');
  });
  assert.ok(rel(a.certificateInput().maxContraction, b.certificateInput().maxContraction) < 1e-8);
});

test('certificate: thresholds λ/2, λ/4, R*, 1 − ηλ/2; not-measured values never count as held', () => {
  const base = {
    activation: ACTIVATIONS.exp,
    n: 4,
    lambda: 0.8,
    eta: 0.1,
    B: 1,
    minLambdaMin: 0.5,
    initDistance: 0.1,
    maxKernelDrift: 0.3,
    maxMovement: 1e-4,
    maxContraction: 0.95,
    contractionPerStep: true,
  };
  const rows = certificate(base);
  const by = (s: string) => rows.find((r) => r.name.includes(s))!;
  assert.equal(by('λ_min').threshold, 0.4);
  assert.equal(by('λ_min').held, true);
  assert.equal(by('H(W(k)) − H(W(0))').threshold, 0.2);
  assert.equal(by('H(W(k)) − H(W(0))').held, false);
  assert.equal(by('H^cts').held, true);
  assert.ok(Math.abs(by('‖r(k+1)‖²').threshold - 0.96) < 1e-15);
  assert.equal(by('‖r(k+1)‖²').held, true);
  const rs = 0.5 * Math.log(1 + 0.8 / (16 * Math.exp(2)));
  assert.ok(Math.abs(by('R(k)').threshold - rs) < 1e-15);
  assert.equal(by('η').held, false); // 0.1 ≫ λ/(4n²e^{4(B+R*)})
  const missing = certificate({ ...base, initDistance: NaN, activation: ACTIVATIONS.relu });
  assert.equal(missing.find((r) => r.name.includes('H^∞'))!.held, false);
  assert.equal(missing.find((r) => r.name.includes('H^∞'))!.note, 'not measured');
  assert.equal(missing.some((r) => r.name.includes('R(k)')), false); // exp-only rows
});
