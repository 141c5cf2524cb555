/**
 * The native backend against the reference oracle (docs/theory.md §1–3, §5), for every instruction
 * set this CPU has: every Backend method, every activation with a native kernel (exp, ReLU, cosh,
 * sinh, softmax), both κ scalings, shapes that are not multiples of the SIMD widths or block sizes;
 * 100 GD steps; bit-identity across thread counts; float32 within stated tolerances; the vector
 * exp, cosh and sinh against Math; softmax where exp overflows; unknown kernel ids refused.
 * Skipped, with the reason, when the addon is not built.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableIsas, loadAddon, NativeBackend } from '../../src/backend/native.js';
import { ReferenceBackend } from '../../src/backend/reference.js';
import type { Problem } from '../../src/backend/types.js';
import { ACTIVATIONS, ACTIVATION_NAMES, customActivation, type ActivationName } from '../../src/activations/index.js';
import { OptionError } from '../../src/errors.js';
import { bitEqual, everyMethod, makeProblem, relErr, stableEta } from './helpers.js';
import { initialWeights } from '../../src/model/init.js';

const loaded = loadAddon();
const skip = 'addon' in loaded ? false : `native addon not built: ${loaded.error}`;
const isas = skip ? [] : availableIsas();
const ref = new ReferenceBackend();

// n, d, m: d not a multiple of 8 (or of 4), n and m not multiples of any block size
const SHAPES: Array<[number, number, number]> = [
  [7, 5, 13],
  [37, 13, 50],
  [101, 16, 97],
  [3, 1, 1],
  [20, 19, 130],
];
const ACTS: ActivationName[] = ['exp', 'relu', 'cosh', 'sinh', 'softmax'];
const SCALINGS = ['ntk', 'none'] as const;

test('native: every method agrees with the reference in float64 (≤ 1e-12 relative)', { skip }, () => {
  for (const isa of isas) {
    const nb = new NativeBackend({ isa, threads: 2 });
    for (const [n, d, m] of SHAPES) {
      for (const act of ACTS) {
        for (const sc of SCALINGS) {
          const { p, W } = makeProblem(n, d, m, act, sc);
          const tag = `${isa} ${act} ${sc} n=${n} d=${d} m=${m}`;
          const uR = new Float64Array(n);
          ref.forward(p, W, uR);
          const r = Float64Array.from(uR, (u, i) => u - p.y[i]);
          const gR = new Float64Array(m * d);
          ref.gradient(p, W, r, gR);
          const V = Float64Array.from(gR, (g, k) => g + Math.sin(k));
          const eta = sc === 'ntk' ? 0.3 : 0.3 / m;
          const R = everyMethod(ref, p, W, r, V, eta);
          const N = everyMethod(nb, p, W, r, V, eta);
          for (const [name, a] of Object.entries(N)) assert.ok(relErr(a, R[name]) <= 1e-12, `${name} ${tag}: ${relErr(a, R[name])}`);
          const hN = N.gram;
          for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) assert.equal(hN[i * n + j], hN[j * n + i]);

          // flips between W and a perturbation that flips some patterns (exact integer)
          const W2 = Float64Array.from(W, (w, k) => w + 0.3 * Math.cos(3 * k));
          assert.equal(nb.patternFlips(p, W, W2), ref.patternFlips(p, W, W2), `flips ${tag}`);
        }
      }
    }
  }
});

test('native: 100 GD steps stay within 1e-12 of the reference (W and u)', { skip }, () => {
  for (const isa of isas) {
    const nb = new NativeBackend({ isa, threads: 2 });
    for (const act of ACTS) {
      for (const sc of SCALINGS) {
        const n = 30;
        const d = 5;
        const m = 45;
        const { p, W } = makeProblem(n, d, m, act, sc, 7);
        // 1/λ_max(H(W(0))): GD contracts, errors do not blow up. For cosh, sinh and softmax H grows
        // along the run (cosh ntk diverges at this η near step 90), so they take half of it.
        const eta = (act === 'exp' || act === 'relu' ? 1 : 0.5) * stableEta(p, W);
        const WR = Float64Array.from(W);
        const WN = Float64Array.from(W);
        const uR = new Float64Array(n);
        const uN = new Float64Array(n);
        ref.forward(p, WR, uR);
        nb.forward(p, WN, uN);
        const rR = new Float64Array(n);
        const rN = new Float64Array(n);
        for (let k = 0; k < 100; k++) {
          for (let i = 0; i < n; i++) {
            rR[i] = uR[i] - p.y[i];
            rN[i] = uN[i] - p.y[i];
          }
          ref.step(p, WR, rR, eta, uR);
          nb.step(p, WN, rN, eta, uN);
        }
        const tag = `${isa} ${act} ${sc}`;
        let moved = 0;
        for (let k = 0; k < W.length; k++) moved = Math.max(moved, Math.abs(WR[k] - W[k]));
        assert.ok(moved > 1e-3, `${tag}: the run must actually move W (moved ${moved})`);
        assert.ok(relErr(WN, WR) <= 1e-12, `W after 100 steps ${tag}: ${relErr(WN, WR)}`);
        assert.ok(relErr(uN, uR) <= 1e-12, `u after 100 steps ${tag}: ${relErr(uN, uR)}`);
      }
    }
  }
});

test('native: results are bit-identical for threads = 1, 2, 3, 7 and across runs', { skip }, () => {
  for (const isa of isas) {
    for (const precision of ['f64', 'f32'] as const) {
      // m spans many panels and all 64 chunks; n is not a multiple of any block. diag(r)X (the
      // gradient's operand) is formed by each worker at n·d = 45·11 and shared by all at 130·9
      // (over 16 KB: two blocks of samples)
      for (const [act, n0, d0] of ACTS.flatMap((a) => [[a, 45, 11], [a, 130, 9]] as const)) {
        const { p, W } = makeProblem(n0, d0, isa === 'scalar' ? 700 : 2100, act, 'ntk', 3);
        const n = p.n;
        let first: Float64Array[] | undefined;
        for (const threads of [1, 2, 3, 7, 2]) {
          const nb = new NativeBackend({ isa, threads, precision });
          const Wk = Float64Array.from(W);
          const u = new Float64Array(n);
          nb.forward(p, Wk, u);
          const r = Float64Array.from(u, (v, i) => v - p.y[i]);
          const G = new Float64Array(W.length);
          nb.gradient(p, Wk, r, G);
          const J = new Float64Array(n);
          nb.jvp(p, Wk, G, J);
          const H = new Float64Array(n * n);
          nb.gram(p, Wk, H);
          for (let k = 0; k < 3; k++) {
            for (let i = 0; i < n; i++) r[i] = u[i] - p.y[i];
            nb.step(p, Wk, r, 0.1, u);
          }
          const flips = new Float64Array([nb.patternFlips(p, W, Wk)]);
          const out = [u, G, J, H, Wk, flips];
          if (!first) first = out;
          else {
            const names = ['forward/step u', 'gradient', 'jvp', 'gram', 'W after steps', 'flips'];
            out.forEach((o, k) =>
              assert.ok(bitEqual(o, first![k]), `${isa} ${precision} ${act} n=${n} threads=${threads}: ${names[k]} differs`),
            );
          }
        }
      }
    }
  }
});

test('native f32: within float32 tolerances of the float64 reference', { skip }, () => {
  // Stated tolerances (README): 2e-5 relative per evaluation; W after 10 steps 1e-6 relative.
  for (const isa of isas) {
    const nb = new NativeBackend({ isa, threads: 2, precision: 'f32' });
    for (const act of ACTS) {
      const { p, W } = makeProblem(60, 13, 300, act, 'ntk', 5);
      const n = p.n;
      const tag = `${isa} f32 ${act}`;
      const uR = new Float64Array(n);
      const uN = new Float64Array(n);
      ref.forward(p, W, uR);
      nb.forward(p, W, uN);
      assert.ok(relErr(uN, uR) <= 2e-5, `forward ${tag}: ${relErr(uN, uR)}`);
      const r = Float64Array.from(uR, (v, i) => v - p.y[i]);
      const gR = new Float64Array(W.length);
      const gN = new Float64Array(W.length);
      ref.gradient(p, W, r, gR);
      nb.gradient(p, W, r, gN);
      assert.ok(relErr(gN, gR) <= 2e-5, `gradient ${tag}: ${relErr(gN, gR)}`);
      const jR = new Float64Array(n);
      const jN = new Float64Array(n);
      ref.jvp(p, W, gR, jR);
      nb.jvp(p, W, gR, jN);
      assert.ok(relErr(jN, jR) <= 2e-5, `jvp ${tag}: ${relErr(jN, jR)}`);
      const hR = new Float64Array(n * n);
      const hN = new Float64Array(n * n);
      ref.gram(p, W, hR);
      nb.gram(p, W, hN);
      assert.ok(relErr(hN, hR) <= 2e-5, `gram ${tag}: ${relErr(hN, hR)}`);
      const WR = Float64Array.from(W);
      const WN = Float64Array.from(W);
      const sR = Float64Array.from(uR);
      const sN = Float64Array.from(uR);
      const rr = new Float64Array(n);
      const eta = stableEta(p, W);
      for (let k = 0; k < 10; k++) {
        for (let i = 0; i < n; i++) rr[i] = sR[i] - p.y[i];
        ref.step(p, WR, rr, eta, sR);
        for (let i = 0; i < n; i++) rr[i] = sN[i] - p.y[i];
        nb.step(p, WN, rr, eta, sN);
      }
      assert.ok(relErr(WN, WR) <= 1e-6, `W after 10 steps ${tag}: ${relErr(WN, WR)}`);
      assert.ok(relErr(sN, sR) <= 2e-5, `u after 10 steps ${tag}: ${relErr(sN, sR)}`);
    }
  }
});

test('native: overflow of exp gives +Inf like Math.exp, underflow gives 0; cosh, sinh ±Inf; softmax finite', { skip }, () => {
  for (const isa of isas) {
    for (const precision of ['f64', 'f32'] as const) {
      const nb = new NativeBackend({ isa, threads: 1, precision });
      // one neuron, a = +1, κ = 1: u_i = σ(⟨w, x_i⟩) (softmax: u_i = m s_1 = 1)
      const p = {
        n: 3, d: 1, m: 1, X: new Float64Array([1, -1, 0.5]), y: new Float64Array(3),
        a: new Float64Array([1]), kappa: 1, activation: ACTIVATIONS.exp,
      };
      const u = new Float64Array(3);
      nb.forward(p, new Float64Array([2000]), u);
      assert.equal(u[0], Infinity, `${isa} ${precision} overflow`);
      assert.equal(u[1], 0, `${isa} ${precision} underflow`);
      assert.equal(u[2], Infinity, `${isa} ${precision} overflow at 1000`);
      nb.forward(p, new Float64Array([NaN]), u);
      assert.ok(u.every(Number.isNaN), `${isa} ${precision} NaN propagates`);
      const want: Record<string, number[]> = { cosh: [Infinity, Infinity, Infinity], sinh: [Infinity, -Infinity, Infinity], softmax: [1, 1, 1] };
      for (const [name, w] of Object.entries(want)) {
        const q = { ...p, activation: ACTIVATIONS[name as ActivationName] };
        nb.forward(q, new Float64Array([2000]), u);
        assert.deepEqual(Array.from(u), w, `${isa} ${precision} ${name} at z = ±2000, ±1000`);
        nb.forward(q, new Float64Array([NaN]), u);
        assert.ok(u.every(Number.isNaN), `${isa} ${precision} ${name}: NaN propagates`);
      }
    }
  }
});

test('native: the vector exp is accurate over the range that matters', { skip }, () => {
  // Dense grid over the whole finite range of exp in float64 (subnormal results excluded from
  // the relative measure) plus the specials. Measured (README): ≤ 2.2e-16 (about 1 ulp).
  const N = 400_001;
  const lo = -708;
  const hi = 709.78;
  const x = new Float64Array(N + 12);
  for (let k = 0; k < N; k++) x[k] = lo + ((hi - lo) * k) / (N - 1) + 1e-7 * Math.sin(k);
  x.set([NaN, Infinity, -Infinity, 709.79, 710, 1e308, -1e308, -745.2, -800, 0, -0, 1e-300], N);
  for (const isa of isas) {
    for (const precision of ['f64', 'f32'] as const) {
      const nb = new NativeBackend({ isa, precision });
      const y = new Float64Array(x.length);
      nb.vexp(x, y);
      let worst = 0;
      const f32 = precision === 'f32';
      for (let k = 0; k < x.length; k++) {
        const xi = f32 ? Math.fround(x[k]) : x[k];
        const e = f32 ? Math.fround(Math.exp(xi)) : Math.exp(xi);
        if (!Number.isFinite(e) || e === 0 || Number.isNaN(e)) {
          assert.ok(Object.is(y[k], e), `${isa} ${precision} exp(${x[k]}) = ${y[k]}, want ${e}`);
          continue;
        }
        if (e < (f32 ? 1.2e-38 : 2.3e-308)) continue; // subnormal: absolute accuracy only
        worst = Math.max(worst, Math.abs(y[k] - e) / e);
      }
      const bound = f32 ? 2.4e-7 : 4.5e-16; // 2 ulp
      assert.ok(worst <= bound, `${isa} ${precision} exp max relative error ${worst} > ${bound}`);
    }
  }
});

test('native: dense helpers symv, gemm, potrf/potrs agree with plain loops', { skip }, () => {
  for (const isa of isas) {
    const nb = new NativeBackend({ isa, threads: 3 });
    for (const n of [1, 5, 67, 150]) {
      const B = new Float64Array(n * n).map((_, k) => Math.sin(k * 0.7 + 1));
      // A = B Bᵀ + n I: symmetric positive definite
      const A = new Float64Array(n * n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          let s = i === j ? n : 0;
          for (let t = 0; t < n; t++) s += B[i * n + t] * B[j * n + t];
          A[i * n + j] = s;
        }
      const x = new Float64Array(n).map((_, k) => Math.cos(k));
      const y = new Float64Array(n);
      nb.symv(n, A, x, y);
      const yR = new Float64Array(n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) yR[i] += A[i * n + j] * x[j];
      assert.ok(relErr(y, yR) <= 1e-14, `${isa} symv n=${n}`);

      const m = n + 3;
      const k = Math.max(1, n - 2);
      const P = new Float64Array(m * k).map((_, t) => Math.sin(t * 1.3));
      const Q = new Float64Array(k * n).map((_, t) => Math.cos(t * 0.9));
      const C = new Float64Array(m * n);
      nb.gemm(m, n, k, P, Q, C);
      const CR = new Float64Array(m * n);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let t = 0; t < k; t++) CR[i * n + j] += P[i * k + t] * Q[t * n + j];
      assert.ok(relErr(C, CR) <= 1e-14, `${isa} gemm ${m}x${n}x${k}`);

      const Lf = Float64Array.from(A);
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) Lf[i * n + j] = 12345; // upper ignored
      assert.equal(nb.potrf(n, Lf), 0);
      const LLt = new Float64Array(n * n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let t = 0; t < n; t++) s += Lf[i * n + t] * Lf[j * n + t];
          LLt[i * n + j] = s;
          if (j > i) assert.equal(Lf[i * n + j], 0);
        }
      assert.ok(relErr(LLt, A) <= 1e-13, `${isa} potrf n=${n}: ${relErr(LLt, A)}`);
      const b = Float64Array.from(yR);
      nb.potrs(n, Lf, b);
      assert.ok(relErr(b, x) <= 1e-10, `${isa} potrs n=${n}: ${relErr(b, x)}`);
    }
    const notPd = new Float64Array([1, 2, 2, 1]);
    assert.equal(nb.potrf(2, notPd), 2);
  }
});

test('native: bad arguments throw instead of reading out of bounds', { skip }, () => {
  const nb = new NativeBackend();
  const { p, W } = makeProblem(5, 3, 4, 'exp', 'ntk');
  assert.throws(() => nb.forward(p, W.subarray(0, 5), new Float64Array(5)), RangeError);
  assert.throws(() => nb.forward(p, W, new Float64Array(2)), RangeError);
  assert.throws(() => nb.gram(p, W, new Float64Array(5)), RangeError);
  assert.throws(() => new NativeBackend({ threads: 0 }), RangeError);
});

test('native: coupled initialisation gives F(W(0), x) = 0 exactly, every ISA, thread count and precision', { skip }, () => {
  // softmax: N_i = Σ_r a_r e^{z_ir − M_i} is two half sums that cancel exactly, so c_i = 0 and u_i = 0
  for (const isa of isas) {
    for (const threads of [1, 2, 5]) {
      for (const precision of ['f64', 'f32'] as const) {
        const be = new NativeBackend({ isa, threads, precision });
        for (const m of [2, 16, 34, 130, 2048, 5000]) {
          for (const activation of ACTS) {
            const d = 7;
            const { W0, a } = initialWeights({ activation, scaling: 'ntk', init: 'coupled', m, seed: m }, d);
            const { p } = makeProblem(40, d, m, activation, 'ntk', 3);
            const u = new Float64Array(p.n);
            be.forward({ ...p, a }, W0, u);
            assert.ok(u.every((v) => v === 0), `${isa} ${precision} threads=${threads} ${activation} m=${m}: max |u| = ${Math.max(...u.map(Math.abs))}`);
          }
        }
      }
    }
  }
});

test('native step: u by the exp update e^{z+δ} = e^z·e^δ and by its fallback agree with the reference', { skip }, () => {
  // README "Blocking and fusion": after a panel's weight update, step takes e^{z'} as e^{z} (kept
  // from the gradient pass) times a short polynomial in δ = ⟨Δw_q, x_i⟩ when the panel's bound
  // b = max_q ‖Δw_q‖ · max_i ‖x_i‖ is small, and recomputes the exp at the new weights when it is
  // not (b > ½ falls back in every precision). A panel that falls back computes exactly what
  // forward(W(k+1)) computes; an exp-updated one differs from it in the last bits.
  const n = 40;
  const d = 7;
  const m = 98; // halves of 49: the last panel of each half is padded for every ISA
  const h = m / 2;
  const xmax = 1; // unit rows
  const grads = (p: Problem, W: Float64Array, r: Float64Array): Float64Array => {
    const G = new Float64Array(m * d);
    ref.gradient(p, W, r, G);
    return G;
  };
  const bOf = (G: Float64Array, eta: number, r0: number, r1: number): number => {
    let b = 0;
    for (let q = r0; q < r1; q++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (eta * G[q * d + j]) ** 2;
      b = Math.max(b, Math.sqrt(s) * xmax);
    }
    return b;
  };
  for (const regime of ['small', 'mixed', 'large'] as const) {
    const { p, W } = makeProblem(n, d, m, 'exp', 'ntk', 11);
    const v = Float64Array.from({ length: d }, (_, j) => (10 * Math.cos(j + 1)) / Math.sqrt(d)); // ‖v‖ ≈ 7
    for (let q = 0; q < m; q++) {
      for (let j = 0; j < d; j++) {
        // rows that are all equal have equal gradient norms: every such neuron gets the same b
        const same = regime === 'large' || (regime === 'mixed' && q >= h);
        W[q * d + j] = same ? v[j] : 0.5 * W[q * d + j];
      }
    }
    const u0 = new Float64Array(n);
    ref.forward(p, W, u0);
    const r = Float64Array.from(u0, (x, i) => x - p.y[i]);
    const G = grads(p, W, r);
    // η from the target bound: small: b = 0.01 everywhere; mixed and large: b = 1 on the equal rows
    const eta = regime === 'small' ? 0.01 / bOf(G, 1, 0, m) : 1 / bOf(G, 1, h, m);
    if (regime === 'mixed') {
      const bA = bOf(G, eta, 0, h);
      assert.ok(bA < 0.15, `mixed: half A must take the exp update (b = ${bA})`);
    }
    const WR = Float64Array.from(W);
    const uR = new Float64Array(n);
    ref.step(p, WR, r, eta, uR);
    for (const isa of isas) {
      for (const precision of ['f64', 'f32'] as const) {
        const tag = `${isa} ${precision} ${regime}`;
        const tol = precision === 'f64' ? 1e-12 : 2e-5;
        const nb = new NativeBackend({ isa, threads: 2, precision });
        const WN = Float64Array.from(W);
        const uN = new Float64Array(n);
        nb.step(p, WN, r, eta, uN);
        assert.ok(relErr(WN, WR) <= tol, `step W ${tag}: ${relErr(WN, WR)}`);
        assert.ok(relErr(uN, uR) <= tol, `step u ${tag}: ${relErr(uN, uR)}`);
        const uF = new Float64Array(n);
        nb.forward(p, WN, uF);
        if (regime === 'large') assert.ok(bitEqual(uN, uF), `${tag}: every panel falls back, u = forward(W) bit for bit`);
        else assert.ok(!bitEqual(uN, uF), `${tag}: the exp update must have run (u bit-equal to forward)`);
      }
    }
  }
});

test('native step: e^{z+δ} overflowing to +Inf matches Math.exp (the update is not used near overflow)', { skip }, () => {
  // One neuron, κ = 1, a = +1, x = 1: z = 709.5 → z' = 709.8 > ln(max double): u = +Inf. δ = 0.3.
  for (const isa of isas) {
    const nb = new NativeBackend({ isa, threads: 1 });
    const p = {
      n: 1, d: 1, m: 1, X: new Float64Array([1]), y: new Float64Array(1),
      a: new Float64Array([1]), kappa: 1, activation: ACTIVATIONS.exp,
    };
    const r = new Float64Array([-1e-10]);
    const eta = 0.3 / (1e-10 * Math.exp(709.5)); // Δw = −η r e^{z} = 0.3
    for (const w1 of [709.5, 500]) {
      const WR = new Float64Array([w1]);
      const WN = new Float64Array([w1]);
      const uR = new Float64Array(1);
      const uN = new Float64Array(1);
      const e = w1 === 709.5 ? eta : 0.3 / (1e-10 * Math.exp(500));
      ref.step(p, WR, r, e, uR);
      nb.step(p, WN, r, e, uN);
      assert.ok(Math.abs(WN[0] - WR[0]) <= 1e-12 * WR[0], `${isa} w=${w1}: W ${WN[0]} vs ${WR[0]}`);
      if (w1 === 709.5) assert.equal(uN[0], Infinity, `${isa}: overflow after the step`);
      else assert.ok(Math.abs(uN[0] - uR[0]) <= 1e-15 * uR[0], `${isa}: e^{500.3} ${uN[0]} vs ${uR[0]}`);
    }
  }
});

test('native: the vector cosh and sinh are accurate, and agree with Math.cosh / Math.sinh on the specials', { skip }, () => {
  // A dense grid over the range where Math.cosh/Math.sinh are finite and e^{|z|} is too, plus a
  // finer one around the switch at |z| = ½ between the Taylor polynomial and ½(E − 1/E). Measured
  // (README, "vector cosh and sinh"): cosh ≤ 3.0e-16, sinh ≤ 5.7e-16 (f64); ≤ 1.2e-7, 2.4e-7 (f32).
  const pts: number[] = [];
  const N = 400_001;
  for (let k = 0; k < N; k++) pts.push(-709.78 + (2 * 709.78 * k) / (N - 1) + 1e-7 * Math.sin(k));
  for (let k = 0; k < 200_001; k++) pts.push(-2 + (4 * k) / 200_000 + 1e-9 * Math.sin(k));
  for (let k = 0; k <= 20_000; k++) pts.push(0.5 + (k - 10_000) * 1e-10, -0.5 - (k - 10_000) * 1e-10);
  for (let k = -300; k <= 0; k++) pts.push(2 ** (k / 3), -(2 ** (k / 3)));
  const specials = [NaN, Infinity, -Infinity, 0, -0, 1e-310, -1e-310, 711, -711, 1e308, -1e308, 90, -90];
  const x = Float64Array.from([...pts, ...specials]);
  const bounds = { f64: { cosh: 4.5e-16, sinh: 6.7e-16 }, f32: { cosh: 2.4e-7, sinh: 3.6e-7 } }; // 2 and 3 ulp
  for (const isa of isas) {
    for (const precision of ['f64', 'f32'] as const) {
      const nb = new NativeBackend({ isa, precision });
      const f32 = precision === 'f32';
      for (const fn of ['cosh', 'sinh'] as const) {
        const F = fn === 'cosh' ? Math.cosh : Math.sinh;
        const y = new Float64Array(x.length);
        nb.vfun(fn, x, y);
        let worst = 0;
        for (let k = 0; k < x.length; k++) {
          const xi = f32 ? Math.fround(x[k]) : x[k];
          const e = f32 ? Math.fround(F(xi)) : F(xi);
          const tag = `${isa} ${precision} ${fn}(${x[k]}) = ${y[k]}, want ${e}`;
          // e^{|z|} overflows before cosh and sinh do (709.78 < |z| < 710.48 f64, 88.72 < |z| < 89.42
          // f32): there ±Inf of the right sign is the documented result
          const band = Math.abs(xi) > (f32 ? 88.72 : 709.78) && Number.isFinite(e);
          if (band) {
            assert.ok(y[k] === (e > 0 ? Infinity : -Infinity) || Math.abs(y[k] - e) <= bounds[precision][fn] * Math.abs(e), tag);
            continue;
          }
          if (!Number.isFinite(e) || e === 0) {
            assert.ok(Object.is(y[k], e), tag);
            continue;
          }
          worst = Math.max(worst, Math.abs(y[k] - e) / Math.abs(e));
        }
        assert.ok(worst <= bounds[precision][fn], `${isa} ${precision} ${fn} max relative error ${worst} > ${bounds[precision][fn]}`);
      }
    }
  }
});

test('native: every network form, step u is forward at the new W bit for bit except for exp (its exp update)', { skip }, () => {
  // The exp update of pass E is for exp only: ReLU, cosh and sinh recompute σ at the new weights
  // (pass C) and softmax recomputes M_i, D_i, N_i there, exactly as forward does.
  for (const isa of isas) {
    for (const precision of ['f64', 'f32'] as const) {
      const nb = new NativeBackend({ isa, threads: 2, precision });
      for (const act of ACTS) {
        if (act === 'exp') continue;
        const { p, W } = makeProblem(37, 13, 150, act, 'ntk', 4);
        const u0 = new Float64Array(p.n);
        nb.forward(p, W, u0);
        const r = Float64Array.from(u0, (v, i) => v - p.y[i]);
        const Wk = Float64Array.from(W);
        const u = new Float64Array(p.n);
        nb.step(p, Wk, r, 0.05, u);
        const uF = new Float64Array(p.n);
        nb.forward(p, Wk, uF);
        assert.ok(!bitEqual(Wk, W), `${isa} ${precision} ${act}: the step moved W`);
        assert.ok(bitEqual(u, uF), `${isa} ${precision} ${act}: step u = forward(W(k+1)) bit for bit`);
      }
    }
  }
});

test('native softmax: inputs where exp overflows give finite values that agree with the reference', { skip }, () => {
  // ‖x_i‖ = 30 and w_r = 25 x̂_0 + g_r/30: z_ir = 750 cos∠(x_i, x_0) + O(1), from +750 (where the
  // exp network overflows) to −750 (x_n = −x_0: every e^{z} underflows, and padded lanes would win
  // the max with z = 0 if they entered it). m = 70: the halves of 35 leave padded lanes on every
  // ISA. The softmax subtracts M_i first, so nothing overflows. The z themselves carry a rounding
  // of a few ulps of 750 (≈ 1e-13 absolute in f64, 6e-5 in f32) that e^{z − M} turns into relative
  // error, in both backends: measured ≤ 6e-14 (f64) and 3e-5 (f32), so f64 keeps 1e-12 and f32
  // takes 2⁻²³·max|z| (9e-5) instead of 2e-5.
  for (const [n, d, m] of [[40, 16, 70], [21, 5, 17]] as const) {
    const { p: p0, W } = makeProblem(n, d, m, 'softmax', 'ntk', 9);
    const X = p0.X.map((v) => 30 * v);
    for (let j = 0; j < d; j++) X[(n - 1) * d + j] = -X[j]; // x_{n−1} = −x_0
    for (let r = 0; r < m; r++) for (let j = 0; j < d; j++) W[r * d + j] = (25 * X[j]) / 30 + W[r * d + j] / 30;
    const p: Problem = { ...p0, X };
    let zmax = 0;
    let zminRow = Infinity; // max over r of z_{n−1,r}: all very negative
    for (let r = 0; r < m; r++) {
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += W[r * d + j] * X[i * d + j];
        zmax = Math.max(zmax, Math.abs(s));
        if (i === n - 1) zminRow = Math.min(zminRow, -s);
      }
    }
    assert.ok(zmax > 745 && zminRow > 745, `the problem reaches |z| = 750 (${zmax}, ${zminRow})`);
    const uExp = new Float64Array(n);
    ref.forward({ ...p, activation: ACTIVATIONS.exp }, W, uExp);
    assert.ok(!uExp.every(Number.isFinite), 'the exp network overflows on these inputs');
    const uR = new Float64Array(n);
    ref.forward(p, W, uR);
    const r = Float64Array.from(uR, (v, i) => v - p.y[i]);
    const gR = new Float64Array(m * d);
    ref.gradient(p, W, r, gR);
    const R = everyMethod(ref, p, W, r, gR, 1e-3);
    for (const out of Object.values(R)) assert.ok(out.every(Number.isFinite), 'the reference is finite');
    for (const isa of isas) {
      for (const precision of ['f64', 'f32'] as const) {
        const tol = precision === 'f64' ? 1e-12 : Math.max(2e-5, 2 ** -23 * zmax);
        const nb = new NativeBackend({ isa, threads: 3, precision });
        const tag = `${isa} ${precision} n=${n} m=${m}`;
        const uE = new Float64Array(n);
        nb.forward({ ...p, activation: ACTIVATIONS.exp }, W, uE);
        assert.ok(!uE.every(Number.isFinite), `${tag}: the native exp network overflows too`);
        const N = everyMethod(nb, p, W, r, gR, 1e-3);
        for (const [name, a] of Object.entries(N)) {
          const b = R[name];
          assert.ok(a.every(Number.isFinite), `${name} ${tag}: finite`);
          assert.ok(relErr(a, b) <= tol, `${name} ${tag}: ${relErr(a, b)} > ${tol}`);
        }
      }
    }
  }
});

test('native: unknown activation ids are refused, never run as another kernel', { skip }, () => {
  assert.ok('addon' in loaded);
  const addon = loaded.addon;
  assert.deepEqual(addon.info().activations, [0, 1, 2, 3, 4]);
  for (const name of ACTS) assert.ok(new NativeBackend().supports(ACTIVATIONS[name]), `${name} has a native kernel`);
  const { p, W } = makeProblem(5, 3, 4, 'exp', 'ntk');
  const np = { n: p.n, d: p.d, m: p.m, X: p.X, a: p.a, kappa: p.kappa };
  const u = new Float64Array(p.n);
  for (const isa of isas) {
    for (const act of [5, 6, 255, 256, -1, 1.5, 2 ** 31, NaN, Infinity]) {
      for (const f32 of [false, true]) {
        const X = f32 ? Float32Array.from(p.X) : p.X;
        const q = { ...np, X, act };
        assert.throws(() => addon.forward(isa, f32, q, W, u, 1), RangeError, `${isa} forward act=${act}`);
        assert.throws(() => addon.gradient(isa, f32, q, W, u, new Float64Array(W.length), 1), RangeError, `${isa} gradient act=${act}`);
        assert.throws(() => addon.step(isa, f32, q, Float64Array.from(W), u, 0.1, u, 1), RangeError, `${isa} step act=${act}`);
        assert.throws(() => addon.jvp(isa, f32, q, W, W, u, 1), RangeError, `${isa} jvp act=${act}`);
        assert.throws(() => addon.gram(isa, f32, q, W, new Float64Array(p.n * p.n), 1), RangeError, `${isa} gram act=${act}`);
      }
    }
    assert.throws(() => addon.forward(isa, false, { ...np, act: '1' as unknown as number }, W, u, 1), TypeError);
    assert.throws(() => addon.forward(isa, false, np as typeof np & { act: number }, W, u, 1), TypeError);
    assert.throws(() => addon.vfun(isa, false, 'tanh' as 'exp', W, new Float64Array(W.length)), RangeError);
  }
  // a user-defined activation has no kernel (native: null): not supported, and refused by name
  const tanh = customActivation({ name: 'tanh', sigma: Math.tanh, dsigma: (z) => 1 - Math.tanh(z) ** 2 });
  const nb = new NativeBackend();
  assert.equal(nb.supports(tanh), false);
  assert.throws(() => nb.forward({ ...p, activation: tanh }, W, u), (e: unknown) => e instanceof OptionError && /no kernel for the activation 'tanh'/.test(e.message));
  // a built-in-looking activation whose id this build lacks is refused the same way
  const future = { ...ACTIVATIONS.exp, name: 'future', native: 99 };
  assert.equal(nb.supports(future), false);
  assert.throws(() => nb.forward({ ...p, activation: future }, W, u), OptionError);
});
