/**
 * Held-out points and the centred α-model through the CLI as a user runs it (spawned
 * `dist/cli/main.js` in a temporary directory; npm test builds first): --test-n / --test-data /
 * --test-fraction, --alpha, --label-noise, --json, --log, --export-npy (every exported prediction
 * recomputed here from the exported arrays with plain loops), --save + predict, --report, and
 * sweep --alpha + report.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatNpy, parseNpy } from '../../src/data/npy.js';
import { Rng } from '../../src/random/xoshiro.js';
import { hCtsClosedForm, matVec, relErr } from '../helpers.js';

const MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'overparam-heldout-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]) {
  const p = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf-8', cwd: dir, env: { ...process.env }, timeout: 60_000 });
  return { code: p.status, stdout: p.stdout, stderr: p.stderr };
}
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const npy = (path: string) => parseNpy(new Uint8Array(readFileSync(path)), path);

/** Exit code and exactly one line on stderr, no stack trace. */
function oneLine(r: ReturnType<typeof run>, code: number, re: RegExp, what: string): void {
  assert.equal(r.code, code, `${what}: exit ${r.code}\n${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `${what}: one line on stderr, got\n${r.stderr}`);
  assert.match(r.stderr, re, what);
  assert.doesNotMatch(r.stderr, /\n\s+at |internal error/, `${what}: stack trace or internal error`);
}

/** A CSV with a header: d input columns x1…xd and the label y (random inputs, smooth labels). */
function csv(name: string, n: number, d: number, seed: number, header = [...Array.from({ length: d }, (_, j) => `x${j + 1}`), 'y']): string {
  const rng = new Rng(seed, 'test-heldout-csv');
  const lines = [header.join(',')];
  for (let i = 0; i < n; i++) {
    const x = Array.from({ length: d }, () => rng.normal());
    const y = Math.sin(x[0]) + 0.5 * x[x.length - 1];
    lines.push([...x, y].map((v) => v.toPrecision(12)).join(','));
  }
  return file(name, lines.join('\n') + '\n');
}

const norm = (v: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
};

/** F(W, x_s) = κ Σ_r a_r exp(Σ_j W[j][r] x_sj), with W the exported d×m matrix (docs/theory.md §1). */
function forwardDm(X: ArrayLike<number>, n: number, d: number, Wdm: ArrayLike<number>, a: ArrayLike<number>, kappa: number): Float64Array {
  const m = a.length;
  const u = new Float64Array(n);
  for (let s = 0; s < n; s++) {
    let acc = 0;
    for (let r = 0; r < m; r++) {
      let z = 0;
      for (let j = 0; j < d; j++) z += Wdm[j * m + r] * X[s * d + j];
      acc += a[r] * Math.exp(z);
    }
    u[s] = kappa * acc;
  }
  return u;
}

/** The Jacobian of F(W0, ·) at the rows of X: row s, block r = κ a_r e^{⟨w_r(0), x_s⟩} x_s (n × m·d). */
function jacobianDm(X: ArrayLike<number>, n: number, d: number, W0dm: ArrayLike<number>, a: ArrayLike<number>, kappa: number): Float64Array {
  const m = a.length;
  const P = m * d;
  const J = new Float64Array(n * P);
  for (let s = 0; s < n; s++) {
    for (let r = 0; r < m; r++) {
      let z = 0;
      for (let j = 0; j < d; j++) z += W0dm[j * m + r] * X[s * d + j];
      const c = kappa * a[r] * Math.exp(z);
      for (let j = 0; j < d; j++) J[s * P + r * d + j] = c * X[s * d + j];
    }
  }
  return J;
}


test('train --test-n 30 --label-kind teacher --json: the test fields are present and finite; the exit code follows the status', () => {
  const r = run('train', '--test-n', '30', '--label-kind', 'teacher', '--json');
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(r.code, j.status === 'converged' ? 0 : 1, `exit ${r.code} with status ${j.status}`);
  const t = j.test;
  assert.ok(t, 'field test');
  assert.equal(t.n, 30);
  assert.match(t.source, /test: rows 65…94 of the same stream/);
  for (const v of [t.network.test, t.network.rmse, t.network.initial, t.network.train, t.etaNtk]) assert.ok(Number.isFinite(v) && v >= 0, `${v}`);
  assert.ok(Math.abs(t.network.rmse - t.network.test / Math.sqrt(30)) <= 1e-12 * t.network.rmse);
  assert.equal(t.network.train, j.residual);
  for (const c of [t.linearised, t.infinite]) {
    for (const v of [c.test, c.rmse, c.train]) assert.ok(Number.isFinite(v) && v >= 0, `${v}`);
    assert.equal(typeof c.stable, 'boolean');
    assert.equal(typeof c.dropped, 'number');
    if (c.stable) assert.ok(c.limit && Number.isFinite(c.limit.test) && Number.isFinite(c.limit.train));
  }
  // the default run: ntk scaling, so η κ² m = η
  assert.ok(Math.abs(t.etaNtk - j.eta.eta) <= 1e-12 * j.eta.eta);
  assert.equal(t.history.k[0], 0);
  assert.equal(t.history.k.at(-1), j.steps);
  assert.equal(t.history.residual.at(-1), t.network.test);
  assert.equal(t.history.residual[0], t.network.initial);
  assert.equal(t.scale, 'ntk: H/(κ²m), η κ² m');
});

test('train --test-n --export-npy: u_test, u_test_lin and u_test_inf recomputed here from the exported arrays (≤ 1e-10)', (t) => {
  const out = join(dir, 'npy');
  const steps = 300;
  const r = run('train', '--n', '24', '--d', '5', '--width', '256', '--test-n', '30', '--label-kind', 'teacher', '--max-steps', String(steps), '--eta', '0.02', '--epsilon', '1e-9', '--export-npy', out, '--json');
  assert.equal(r.code, 1, r.stderr); // the budget runs out before ε = 1e-9
  const j = JSON.parse(r.stdout);
  assert.equal(j.steps, steps);
  assert.equal(j.files.npy, out);
  const eta = j.eta.eta;
  assert.equal(eta, 0.02);
  for (const f of ['W', 'W0', 'a', 'X', 'y', 'u', 'X_test', 'y_test', 'u_test', 'u_test_lin', 'u_test_inf']) assert.ok(existsSync(join(out, `${f}.npy`)), `${f}.npy`);
  const W = npy(join(out, 'W.npy'));
  const W0 = npy(join(out, 'W0.npy'));
  const a = npy(join(out, 'a.npy')).data;
  const X = npy(join(out, 'X.npy'));
  const Xt = npy(join(out, 'X_test.npy'));
  const y = npy(join(out, 'y.npy')).data;
  const yt = npy(join(out, 'y_test.npy')).data;
  const [d, m] = W.shape;
  const n = X.shape[0];
  const nt = Xt.shape[0];
  assert.deepEqual([d, m, n, nt], [5, 256, 24, 30]);
  assert.deepEqual(W0.shape, [d, m]);
  assert.deepEqual(Xt.shape, [nt, d]);
  assert.equal(yt.length, nt);
  const kappa = 1 / Math.sqrt(m);
  assert.equal(j.conventions.kappa, kappa);
  // the test inputs were normalised as the training inputs: unit rows
  for (let s = 0; s < nt; s++) assert.ok(Math.abs(norm(Xt.data.subarray(s * d, (s + 1) * d)) - 1) <= 1e-15);

  // the network: u = F(W, X), u_test = F(W, X*)
  const eU = relErr(npy(join(out, 'u.npy')).data, forwardDm(X.data, n, d, W.data, a, kappa));
  const uTest = forwardDm(Xt.data, nt, d, W.data, a, kappa);
  const eUTest = relErr(npy(join(out, 'u_test.npy')).data, uTest);
  let sq = 0;
  for (let s = 0; s < nt; s++) sq += (uTest[s] - yt[s]) ** 2;
  assert.ok(Math.abs(Math.sqrt(sq) - j.test.network.test) <= 1e-12 * j.test.network.test, 'the --json test residual is ‖u_test − y_test‖');

  // the infinite-width prediction: kernel GD on H^cts with η κ² m from r = −y, f = 0
  const etaNtk = eta * kappa * kappa * m;
  assert.ok(Math.abs(j.test.etaNtk - etaNtk) <= 1e-15 * etaNtk);
  const H = hCtsClosedForm(X.data, n, X.data, n, d);
  const C = hCtsClosedForm(Xt.data, nt, X.data, n, d);
  let rInf = y.map((v) => -v);
  let fInf = new Float64Array(nt);
  for (let k = 0; k < steps; k++) {
    const Cr = matVec(C, nt, n, rInf);
    const Hr = matVec(H, n, n, rInf);
    fInf = fInf.map((v, s) => v - etaNtk * Cr[s]);
    rInf = rInf.map((v, i) => v - etaNtk * Hr[i]);
  }
  const eInf = relErr(npy(join(out, 'u_test_inf.npy')).data, fInf);
  assert.ok(Math.abs(j.test.infinite.train - norm(rInf)) <= 1e-10 * norm(rInf), `f_∞ train residual ${j.test.infinite.train} vs ${norm(rInf)}`);

  // the linearised network, trained explicitly: θ ← θ − η Jᵀ(f0 + Jθ − y), prediction f0* + J*θ
  const P = m * d;
  const J = jacobianDm(X.data, n, d, W0.data, a, kappa);
  const Jt = jacobianDm(Xt.data, nt, d, W0.data, a, kappa);
  const f0 = forwardDm(X.data, n, d, W0.data, a, kappa);
  const f0t = forwardDm(Xt.data, nt, d, W0.data, a, kappa);
  const theta = new Float64Array(P);
  let rLin = new Float64Array(n);
  for (let k = 0; ; k++) {
    const Jth = matVec(J, n, P, theta);
    rLin = Jth.map((v, i) => f0[i] + v - y[i]);
    if (k === steps) break;
    for (let i = 0; i < n; i++) for (let q = 0; q < P; q++) theta[q] -= eta * J[i * P + q] * rLin[i];
  }
  const fLin = matVec(Jt, nt, P, theta).map((v, s) => f0t[s] + v);
  const eLin = relErr(npy(join(out, 'u_test_lin.npy')).data, fLin);
  assert.ok(Math.abs(j.test.linearised.train - norm(rLin)) <= 1e-10 * norm(rLin), `f_lin train residual ${j.test.linearised.train} vs ${norm(rLin)}`);
  t.diagnostic(`max rel. errors: u ${eU.toExponential(2)}, u_test ${eUTest.toExponential(2)}, u_test_lin ${eLin.toExponential(2)}, u_test_inf ${eInf.toExponential(2)} (backend ${j.conventions.backend})`);
  assert.ok(eU <= 1e-10, `u.npy: ${eU}`);
  assert.ok(eUTest <= 1e-10, `u_test.npy: ${eUTest}`);
  assert.ok(eLin <= 1e-10, `u_test_lin.npy: ${eLin}`);
  assert.ok(eInf <= 1e-10, `u_test_inf.npy: ${eInf}`);
  // the three predictions are different things
  assert.ok(relErr(uTest, fLin) > 1e-4 && relErr(fLin, fInf) > 1e-4, 'network, linearised and infinite width differ at m = 256');
});

test('train --data a.csv with --test-data b.csv, and with --test-fraction 0.25', () => {
  const a = csv('a.csv', 20, 3, 1);
  const b = csv('b.csv', 7, 3, 2);
  const opts = ['--width', '128', '--max-steps', '50', '--eta', '0.05', '--json'];
  const r1 = run('train', '--data', a, '--test-data', b, ...opts);
  assert.ok(r1.code === 0 || r1.code === 1, r1.stderr);
  const j1 = JSON.parse(r1.stdout);
  assert.equal(j1.data.n, 20);
  assert.equal(j1.test.n, 7);
  assert.match(j1.test.source, /b\.csv/);
  assert.ok(Number.isFinite(j1.test.network.test) && Number.isFinite(j1.test.linearised.test) && Number.isFinite(j1.test.infinite.test));

  // the same test points with the columns in another order (matched by name, with a warning), and as .npy arrays
  const rows = readFileSync(b, 'utf-8').trim().split('\n').slice(1).map((l) => l.split(','));
  const reordered = file('b-reordered.csv', ['x3,x1,x2,y', ...rows.map((c) => [c[2], c[0], c[1], c[3]].join(','))].join('\n') + '\n');
  const r3 = run('train', '--data', a, '--test-data', reordered, ...opts);
  assert.ok(r3.code === 0 || r3.code === 1, r3.stderr);
  assert.match(r3.stderr, /matched to the training data's by name/);
  const j3 = JSON.parse(r3.stdout);
  assert.deepEqual(j3.test.network, j1.test.network, 'reordered columns: the same test residuals');
  assert.deepEqual(j3.test.linearised, j1.test.linearised);
  // the label column by name (--label-column names it in both files), here not the last one of the test file
  const labelInside = file('b-label-inside.csv', ['x3,y,x1,x2', ...rows.map((c) => [c[2], c[3], c[0], c[1]].join(','))].join('\n') + '\n');
  const r5 = run('train', '--data', a, '--test-data', labelInside, '--label-column', 'y', ...opts);
  assert.ok(r5.code === 0 || r5.code === 1, r5.stderr);
  assert.deepEqual(JSON.parse(r5.stdout).test.network, j1.test.network, '--label-column y: the same test residuals');
  const bx = file('bx.npy', '');
  writeFileSync(bx, formatNpy(Float64Array.from(rows.flatMap((c) => c.slice(0, 3).map(Number))), [rows.length, 3]));
  const by = file('by.npy', '');
  writeFileSync(by, formatNpy(Float64Array.from(rows.map((c) => Number(c[3]))), [rows.length]));
  const r4 = run('train', '--data', a, '--test-data', bx, '--test-labels', by, ...opts);
  assert.ok(r4.code === 0 || r4.code === 1, r4.stderr);
  const j4 = JSON.parse(r4.stdout);
  assert.deepEqual(j4.test.network, j1.test.network, '.npy test data: the same test residuals as the CSV');
  oneLine(run('train', '--data', a, '--test-data', file('b-renamed.csv', 'p,q,r,y\n1,2,3,4\n'), ...opts), 3, /input columns \(p, q, r\) are not those of the training data \(x1, x2, x3\)/, 'test columns of other names');

  const r2 = run('train', '--data', a, '--test-fraction', '0.25', ...opts);
  assert.ok(r2.code === 0 || r2.code === 1, r2.stderr);
  const j2 = JSON.parse(r2.stdout);
  assert.equal(j2.data.n, 15);
  assert.equal(j2.test.n, 5);
  assert.match(j2.test.source, /split 0\.25, seed 0/);
  // the split is seeded: the same seed the same numbers, another seed another split
  const again = JSON.parse(run('train', '--data', a, '--test-fraction', '0.25', ...opts).stdout);
  assert.equal(again.test.network.test, j2.test.network.test);
  const other = JSON.parse(run('train', '--data', a, '--test-fraction', '0.25', '--split-seed', '3', ...opts).stdout);
  assert.match(other.test.source, /seed 3/);
  assert.notEqual(other.test.network.initial, j2.test.network.initial);
  // label noise changes the training labels and leaves the test labels alone
  const clean = join(dir, 'clean');
  const noisy = join(dir, 'noisy');
  assert.ok([0, 1].includes(run('train', '--data', a, '--test-data', b, ...opts, '--export-npy', clean).code!));
  assert.ok([0, 1].includes(run('train', '--data', a, '--test-data', b, ...opts, '--label-noise', '1', '--export-npy', noisy).code!));
  assert.notDeepEqual(Array.from(npy(join(noisy, 'y.npy')).data), Array.from(npy(join(clean, 'y.npy')).data));
  assert.deepEqual(Array.from(npy(join(noisy, 'y_test.npy')).data), Array.from(npy(join(clean, 'y_test.npy')).data));
  assert.deepEqual(Array.from(npy(join(noisy, 'X.npy')).data), Array.from(npy(join(clean, 'X.npy')).data));
});

test('bad test options: one line on stderr and the exit code (3 for data, 2 for options)', () => {
  const a = csv('a2.csv', 20, 3, 3);
  const ten = csv('ten.csv', 10, 3, 4);
  const narrow = csv('narrow.csv', 5, 2, 5);
  const opts = ['--width', '16', '--max-steps', '2', '--monitor-every', '0'];
  oneLine(run('train', '--data', a, '--test-data', narrow, ...opts), 3, /narrow\.csv: the test points have d = 2 inputs, the training points 3/, '--test-data with another number of columns');
  oneLine(run('train', '--data', a, '--test-fraction', '1.5', ...opts), 2, /--test-fraction.*\(0, 1\)/, '--test-fraction 1.5');
  oneLine(run('train', '--data', a, '--test-fraction', '0', ...opts), 2, /--test-fraction/, '--test-fraction 0');
  oneLine(run('train', '--data', ten, '--test-fraction', '0.001', ...opts), 3, /--test-fraction.*no test points.*between 0\.1/, '--test-fraction 0.001 on 10 rows');
  oneLine(run('train', '--data', ten, '--test-fraction', '0.999', ...opts), 3, /no training points/, '--test-fraction 0.999 on 10 rows');
  oneLine(run('train', '--test-n', '10', '--data', a, ...opts), 2, /--test-n.*--data/, '--test-n with --data');
  oneLine(run('train', '--test-data', a, '--test-n', '5', ...opts), 2, /--test-data and --test-n exclude each other/, '--test-data with --test-n');
  oneLine(run('train', '--test-n', '0', ...opts), 2, /--test-n/, '--test-n 0');
  oneLine(run('train', '--test-labels', 'y.npy', ...opts), 2, /--test-labels goes with --test-data/, '--test-labels alone');
  oneLine(run('train', '--split-seed', '1', ...opts), 2, /--split-seed goes with --test-fraction/, '--split-seed alone');
  oneLine(run('train', '--alpha', '0', ...opts), 2, /--alpha.*positive/, '--alpha 0');
  oneLine(run('train', '--alpha', '-2', ...opts), 2, /--alpha/, '--alpha -2');
  oneLine(run('train', '--alpha', 'abc', ...opts), 2, /--alpha.*'abc'/, '--alpha abc');
  oneLine(run('train', '--label-noise', '2', ...opts), 2, /--label-noise.*\[0, 1\]/, '--label-noise 2');
  oneLine(run('train', '--test-data', join(dir, 'missing.csv'), ...opts), 3, /missing\.csv/, '--test-data of a missing file');
});

test('--log with test points: test_residual, test_residual_lin, test_residual_inf beside the kernel columns, with values at k = 0 and at the last step', () => {
  const log = join(dir, 'h.csv');
  const r = run('train', '--n', '16', '--d', '4', '--width', '256', '--test-n', '10', '--max-steps', '120', '--eta', '0.05', '--monitor-every', '25', '--log', log, '--json');
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  const j = JSON.parse(r.stdout);
  const lines = readFileSync(log, 'utf-8').trim().split('\n');
  const header = lines[0].split(',');
  for (const c of ['step', 'residual', 'movement', 'test_residual', 'test_residual_lin', 'test_residual_inf', 'lambda_max', 'relative_drift', 'movement_median', 'movement_frobenius']) assert.ok(header.includes(c), `header lacks ${c}: ${lines[0]}`);
  assert.equal(lines.length, 1 + j.steps + 1);
  const col = (row: string, name: string): string => row.split(',')[header.indexOf(name)];
  const first = lines[1];
  const last = lines.at(-1)!;
  assert.equal(Number(col(last, 'step')), j.steps);
  for (const row of [first, last]) for (const c of ['test_residual', 'test_residual_lin', 'test_residual_inf', 'lambda_max', 'relative_drift', 'movement_median', 'movement_frobenius']) assert.ok(col(row, c) !== '' && Number.isFinite(Number(col(row, c))), `${c} at step ${col(row, 'step')}: '${col(row, c)}'`);
  assert.equal(Number(col(first, 'test_residual')), j.test.network.initial);
  assert.equal(Number(col(last, 'test_residual')), j.test.network.test);
  assert.equal(Number(col(last, 'test_residual_lin')), j.test.linearised.test);
  assert.equal(Number(col(last, 'test_residual_inf')), j.test.infinite.test);
  // the infinite-width prediction starts at 0: its test residual at k = 0 is ‖y*‖, the linearised one's is the network's
  assert.equal(Number(col(first, 'test_residual_lin')), j.test.network.initial);
  // k = 0: nothing moved yet
  assert.equal(Number(col(first, 'relative_drift')), 0);
  assert.equal(Number(col(first, 'movement_median')), 0);
  // between recorded steps the cells are empty
  const mid = lines[1 + 13];
  assert.equal(col(mid, 'test_residual_lin'), '');
  assert.equal(col(mid, 'relative_drift'), '');
});

test('train --alpha 10 --init coupled --save, then predict on the training inputs: the u.npy of --export-npy bit for bit (α(F(W,x) − F(W0,x)))', (t) => {
  const a = csv('alpha.csv', 20, 3, 6);
  const model = join(dir, 'm.json');
  const out = join(dir, 'npy-alpha');
  const r = run('train', '--data', a, '--alpha', '10', '--init', 'coupled', '--width', '256', '--max-steps', '200', '--eta', '0.05', '--save', model, '--export-npy', out, '--json');
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.conventions.alpha, 10);
  const doc = JSON.parse(readFileSync(model, 'utf-8'));
  assert.equal(doc.alpha, 10);
  assert.match(doc.centred, /alpha \* \(F\(W, x\) - F\(W0, x\)\)/);
  // the initial residual of the centred model is ‖y‖ whatever the init
  const y = npy(join(out, 'y.npy')).data;
  assert.ok(Math.abs(j.initialResidual - norm(y)) <= 1e-14 * norm(y));
  const pred = join(dir, 'p.npy');
  const p = run('predict', '--model', model, '--data', a, '--out', pred, '--json');
  assert.equal(p.code, 0, p.stderr);
  const u = npy(join(out, 'u.npy')).data;
  const got = npy(pred).data;
  assert.deepEqual(Array.from(got), Array.from(u), 'predict = the training outputs, bit for bit');
  // predict's residual against the file's labels is the run's
  assert.ok(Math.abs(JSON.parse(p.stdout).residual - j.residual) <= 1e-12 * j.residual);
  // and both are α(F(W, x) − F(W0, x)) from the exported arrays
  const W = npy(join(out, 'W.npy'));
  const W0 = npy(join(out, 'W0.npy')).data;
  const aa = npy(join(out, 'a.npy')).data;
  const X = npy(join(out, 'X.npy')).data;
  const [d, m] = W.shape;
  const f = forwardDm(X, 20, d, W.data, aa, 1 / Math.sqrt(m));
  const f0 = forwardDm(X, 20, d, W0, aa, 1 / Math.sqrt(m));
  const want = f.map((v, i) => 10 * (v - f0[i]));
  const e = relErr(u, want);
  t.diagnostic(`u.npy vs α(F(W,X) − F(W0,X)) from the arrays: ${e.toExponential(2)}; ‖F(W0,X)‖ by plain loops ${norm(f0).toExponential(2)} (coupled: 0 up to rounding)`);
  assert.ok(e <= 1e-10, `${e}`);
  assert.ok(norm(f0) <= 1e-12, 'coupled init: F(W0, X) = 0');
  // the weights moved little: α = 10 is lazy
  assert.ok(j.movement < 0.1, `movement ${j.movement}`);
});

test('train --test-n 20 --report: the page has the figures test-residual, test-predictions, sharpness and kernel-change', () => {
  const rep = join(dir, 'rep-train');
  const r = run('train', '--test-n', '20', '--n', '16', '--d', '4', '--width', '256', '--max-steps', '300', '--report', rep);
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  const html = readFileSync(join(rep, 'index.html'), 'utf-8');
  for (const name of ['test-residual', 'test-predictions', 'sharpness', 'kernel-change']) {
    assert.ok(r.stdout.includes(`    ${name} `), `the summary lists ${name}:\n${r.stdout}`);
    assert.ok(existsSync(join(rep, 'figures', `${name}.svg`)) && existsSync(join(rep, 'figures', `${name}.png`)), `${name}.svg/.png`);
    assert.ok(html.includes(`figures/${name}.`), `index.html links ${name}`);
  }
  assert.match(html, /Held-out points, sharpness and laziness/);
});

test('sweep --alpha 0.3,30 --init coupled then report: the figure laziness-alpha; larger α, smaller kernel change', () => {
  const results = join(dir, 'r.jsonl');
  const s = run('sweep', '--alpha', '0.3,30', '--init', 'coupled', '--n', '16', '--width', '512', '--seeds', '1', '--monitor-every', '10', '--results', results);
  assert.ok(s.code === 0 || s.code === 1, s.stderr);
  const lines = readFileSync(results, 'utf-8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 2);
  const byAlpha = new Map(lines.map((l) => [l.spec.alpha, l]));
  assert.deepEqual([...byAlpha.keys()].sort((x, y) => x - y), [0.3, 30]);
  const lazy = byAlpha.get(30).monitors.ntk.laziness;
  const rich = byAlpha.get(0.3).monitors.ntk.laziness;
  assert.ok(lazy.maxRelativeDrift * 100 < rich.maxRelativeDrift, `kernel change α = 30: ${lazy.maxRelativeDrift}, α = 0.3: ${rich.maxRelativeDrift}`);
  assert.ok(byAlpha.get(30).movement * 10 < byAlpha.get(0.3).movement);
  const rep = join(dir, 'rep-sweep');
  const r = run('report', results, '--out', rep, '--json');
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  const f = j.figures.find((x: { name: string }) => x.name === 'laziness-alpha');
  assert.ok(f, `laziness-alpha missing (have ${j.figures.map((x: { name: string }) => x.name).join(', ')})`);
  assert.ok(existsSync(f.svg) && existsSync(f.png));
  const svg = readFileSync(f.svg, 'utf-8');
  assert.match(svg, /kernel change against α/);
  const html = readFileSync(j.index, 'utf-8');
  assert.match(html, /Runs of the centred model: α against the kernel change/);
});

test('held-out points too many for the memory: refused before anything is drawn, the hint lowers --test-n', () => {
  const r = run('train', '--test-n', '1000000', '--max-memory', '2G');
  assert.equal(r.code, 2, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /held-out kernels/);
  assert.match(lines[0], /lower --test-n/);
  assert.doesNotMatch(lines[0], /lower --n\b/);
});
