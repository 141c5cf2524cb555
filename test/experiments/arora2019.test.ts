/**
 * `overparam replicate arora2019 --quick` as a user runs it (the built dist/cli/main.js): the
 * report, the numbers for true against random labels, checked against the results file and an
 * independent yᵀ(H^cts)⁻¹y, and Arora et al.'s finding at this scale (random labels are fitted
 * more slowly). The finding was checked robust at the quick scale before it was asserted: random
 * labels left a larger fraction of their loss at a tenth of the budget for every one of 10 data
 * seeds × 3 initialisation seeds, for ReLU and exp (the smallest ratio was 3.8).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { withLabelNoise } from '../../src/data/noise.js';
import { generateSynthetic } from '../../src/data/synthetic.js';

const MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'overparam-arora-'));

function run(...args: string[]) {
  const p = spawnSync(process.execPath, [MAIN, 'replicate', 'arora2019', ...args], { encoding: 'utf-8', cwd: dir });
  return { code: p.status, stdout: p.stdout, stderr: p.stderr };
}

/** yᵀ K⁻¹ y by Cholesky, K = H^cts = ρ e^{1+ρ} on unit-norm inputs (docs/theory.md §3). */
function rkhsExp(X: Float64Array, n: number, d: number, y: Float64Array): number {
  const x = Array.from({ length: n }, (_, i) => {
    const row = Array.from(X.subarray(i * d, (i + 1) * d));
    const r = Math.sqrt(row.reduce((s, v) => s + v * v, 0));
    return row.map((v) => v / r);
  });
  const K = x.map((a) => x.map((b) => {
    const rho = a.reduce((s, v, t) => s + v * b[t], 0);
    return rho * Math.exp(1 + rho);
  }));
  const L = K.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = K[i][j];
      for (let t = 0; t < j; t++) s -= L[i][t] * L[j][t];
      L[i][j] = i === j ? Math.sqrt(s) : s / L[j][j];
    }
  }
  // yᵀK⁻¹y = ‖L⁻¹y‖²
  const z = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let s = y[i];
    for (let t = 0; t < i; t++) s -= L[i][t] * z[t];
    z[i] = s / L[i][i];
  }
  return z.reduce((s, v) => s + v * v, 0);
}

test('replicate arora2019 --quick: the page and figures, true against random labels, and random labels fitted more slowly', () => {
  const out = join(dir, 'report');
  const results = join(dir, 'arora.jsonl');
  const r = run('--quick', '--seeds', '2', '--results', results, '--out', out, '--json');
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.experiment, 'arora2019');
  assert.equal(j.failed, 0);
  const { setup } = j;
  assert.equal(j.runs, setup.activations.length * 2 * setup.seeds);
  assert.deepEqual(setup.activations, ['relu', 'exp']);
  assert.match(j.conventions.data, /synthetic/);
  // the page and its figures, SVG and PNG
  assert.ok(existsSync(join(out, 'index.html')));
  const page = readFileSync(join(out, 'index.html'), 'utf-8');
  for (const s of ['synthetic, not MNIST or CIFAR', 'coupled initialisation', 'r(0) = −y', 'yᵀ(H^lim)⁻¹y']) assert.ok(page.includes(s), `page lacks '${s}'`);
  const names = j.figures.map((f: { name: string }) => f.name).sort();
  assert.deepEqual(names, ['arora2019-loss-exp', 'arora2019-loss-relu', 'arora2019-projections']);
  for (const f of j.figures) {
    assert.ok(statSync(f.svg).size > 0 && statSync(f.png).size > 0, f.name);
    assert.match(readFileSync(f.svg, 'utf-8'), /^<svg/);
  }
  assert.match(readFileSync(join(out, 'figures', 'arora2019-loss-exp.svg'), 'utf-8'), /random labels, seed 0: predicted/);
  // the results file: each run took the whole budget from r(0) = −y (coupled initialisation: ‖r(0)‖² = ‖y‖²)
  const lines = readFileSync(results, 'utf-8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, j.runs);
  for (const line of lines) {
    assert.equal(line.steps, setup.maxSteps);
    assert.equal(line.spec.model.init, 'coupled');
    const sp = j.spectra.find((s: { activation: string; labels: string }) => s.activation === line.spec.model.activation && s.labels === (line.spec.labelNoise === 1 ? 'random' : 'true'));
    assert.ok(Math.abs(line.initialResidual ** 2 - sp.yNormSq) <= 1e-12 * sp.yNormSq, 'r(0) = −y');
    assert.ok(line.test.n === setup.nTest && line.test.rmse > 0);
  }
  // the rows: the final loss is the mean of the runs' ‖r‖², and yᵀ(H^cts)⁻¹y as computed here
  const train = generateSynthetic({ inputs: 'sphere', n: setup.n, d: setup.d, labels: 'teacher', seed: setup.dataSeed });
  const labels = { true: train.y, random: withLabelNoise(train, 1, setup.dataSeed).y };
  for (const row of j.summary.rows) {
    const mine = lines.filter((l) => l.spec.model.activation === row.activation && (l.spec.labelNoise === 1 ? 'random' : 'true') === row.labels);
    assert.equal(mine.length, setup.seeds);
    const mean = mine.reduce((s, l) => s + l.residual ** 2, 0) / mine.length;
    assert.ok(Math.abs(row.lossFinal - mean) <= 1e-12 * mean);
    assert.ok(row.rkhsNormSq > 0 && row.testRmse > 0 && row.kernelTestRmse > 0);
    if (row.activation === 'exp') {
      const want = rkhsExp(train.X, setup.n, setup.d, labels[row.labels as 'true' | 'random']);
      assert.ok(Math.abs(row.rkhsNormSq - want) <= 1e-8 * want, `exp ${row.labels}: yᵀH⁻¹y = ${row.rkhsNormSq}, Cholesky ${want}`);
    }
  }
  // Arora et al.: random labels are fitted more slowly — a larger fraction ‖r(k)‖²/‖y‖² left at k, every seed
  for (const f of j.summary.findings) {
    assert.equal(f.seeds, setup.seeds);
    assert.equal(f.randomSlowerEarly, f.seeds, `${f.activation}: random labels slower in ${f.randomSlowerEarly}/${f.seeds} seeds at k = ${f.kEarly}`);
    const t = j.summary.rows.find((x: { activation: string; labels: string }) => x.activation === f.activation && x.labels === 'true');
    const rnd = j.summary.rows.find((x: { activation: string; labels: string }) => x.activation === f.activation && x.labels === 'random');
    assert.ok(rnd.relativeEarly > t.relativeEarly);
    // and their norm in the kernel's RKHS is the larger
    assert.ok(rnd.rkhsNormSq > t.rkhsNormSq, `${f.activation}: yᵀH⁻¹y true ${t.rkhsNormSq}, random ${rnd.rkhsNormSq}`);
  }
  // rerun: everything resumed from the results file
  const again = run('--quick', '--seeds', '2', '--results', results, '--out', out, '--json');
  assert.equal(again.code, 0, again.stderr);
  const ja = JSON.parse(again.stdout);
  assert.equal(ja.ran, 0);
  assert.equal(ja.resumed, j.runs);
  assert.deepEqual(ja.summary.rows, j.summary.rows);
  // the text output states the step and the data
  const text = run('--quick', '--results', results, '--out', out);
  assert.equal(text.code, 0, text.stderr);
  for (const s of ['synthetic', '1/λ_max(H^∞) for true and random labels alike', 'yᵀH⁻¹y', 'random labels left a larger fraction']) assert.ok(text.stdout.includes(s), `output lacks '${s}':\n${text.stdout}`);
});

test('replicate arora2019: options it does not take are one-line errors (exit 2)', () => {
  for (const [args, pattern] of [
    [['--epsilon', '0.1'], /no early stop/],
    [['--width', '401'], /even width/],
    [['--width', '100,200'], /one width/],
    [['--test-fraction', '0.2'], /--test-n/],
    [['--quick', '--full'], /exclude each other/],
  ] as [string[], RegExp][]) {
    const r = run('--quick', ...args.filter((a) => a !== '--quick'), '--results', join(dir, 'x.jsonl'), '--out', join(dir, 'x'));
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, pattern);
  }
  assert.ok(!existsSync(join(dir, 'x.jsonl')));
});
