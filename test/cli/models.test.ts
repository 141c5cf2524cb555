/**
 * Every network form through the CLI as a user runs it (spawned `dist/cli/main.js`): train, save,
 * predict, export; gradient descent redone independently from the exported arrays; ntk's model
 * comparison and its figure; bounds' refusal where §4 does not apply; a sweep and its report.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseNpy } from '../../src/data/npy.js';
import { ACTIVATIONS, type ActivationName } from '../../src/activations/index.js';
import { matrixForm, relErr } from '../helpers.js';

const MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'overparam-models-'));

function run(...args: string[]) {
  const p = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf-8', cwd: dir });
  return { code: p.status, stdout: p.stdout, stderr: p.stderr };
}
const npy = (d: string, name: string) => parseNpy(readFileSync(join(d, name)), name);

const MODELS: ActivationName[] = ['exp', 'relu', 'cosh', 'sinh', 'softmax'];

test('train → save → predict reproduces F(W,X) bit for bit, for every activation and both initialisations', () => {
  for (const activation of MODELS) {
    for (const init of ['gaussian', 'coupled']) {
      const tag = `${activation}-${init}`;
      const model = join(dir, `${tag}.json`);
      const out = join(dir, tag);
      const t = run('train', '--activation', activation, '--init', init, '--n', '12', '--d', '3', '--width', '64', '--max-steps', '30', '--save', model, '--export-npy', out, '--json');
      assert.ok(t.code === 0 || t.code === 1, `${tag}: ${t.stderr}`);
      const j = JSON.parse(t.stdout);
      assert.equal(j.conventions.activation, activation);
      if (init === 'coupled') assert.equal(j.initialResidual, Math.hypot(...npy(out, 'y.npy').data), `${tag}: F(W(0), ·) = 0, so ‖r(0)‖ = ‖y‖`);
      const data = join(dir, `${tag}.npy`);
      assert.equal(run('data', '--n', '12', '--d', '3', '--out', data).code, 0);
      const p = run('predict', '--model', model, '--data', data, '--json');
      assert.equal(p.code, 0, `${tag}: ${p.stderr}`);
      assert.deepEqual(JSON.parse(p.stdout).predictions, Array.from(npy(out, 'u.npy').data), tag);
    }
  }
});

test('gradient descent redone from the exported W0, a, X, y (matrix form of §2 and §5) lands on the exported W', () => {
  for (const activation of MODELS) {
    for (const scaling of ['ntk', 'none']) {
      const out = join(dir, `gd-${activation}-${scaling}`);
      const eta = scaling === 'ntk' ? '0.05' : String(0.05 / 48);
      const t = run('train', '--activation', activation, '--scaling', scaling, '--n', '10', '--d', '3', '--width', '48', '--eta', eta, '--max-steps', '7', '--epsilon', '1e-9', '--export-npy', out, '--json', '--backend', 'auto');
      assert.equal(t.code, 1, `${activation}: ${t.stderr}`);
      const [W0, W, a, X, y] = ['W0.npy', 'W.npy', 'a.npy', 'X.npy', 'y.npy'].map((f) => npy(out, f));
      const [d, m] = W0.shape;
      const n = y.shape[0];
      let Wdm = Array.from({ length: d }, (_, j) => Array.from({ length: m }, (_, r) => W0.data[j * m + r]));
      const p = { n, d, m, X: X.data, y: y.data, a: a.data, kappa: scaling === 'ntk' ? 1 / Math.sqrt(m) : 1, activation: ACTIVATIONS[activation] };
      for (let k = 0; k < 7; k++) {
        const { grad } = matrixForm(p, Wdm);
        Wdm = Wdm.map((row, j) => row.map((w, r) => w - Number(eta) * grad[j][r]));
      }
      const err = relErr(Wdm.flat(), Array.from(W.data));
      assert.ok(err <= 1e-12, `${activation} ${scaling}: W after 7 steps differs by ${err} (backend ${JSON.parse(t.stdout).conventions.backend})`);
    }
  }
});

test('ntk compares the concentration of several models on the same data and seeds, in one table and one figure', () => {
  const fig = join(dir, 'concentration.svg');
  const r = run('ntk', '--activation', 'exp,softmax,relu', '--n', '10', '--d', '4', '--width', '100,400,1600', '--seeds', '4', '--figure', fig, '--json');
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.deepEqual(j.models.map((m: { activation: string }) => m.activation), ['exp', 'softmax', 'relu']);
  for (const mk of j.models) {
    assert.equal(mk.initDistance.length, 3);
    for (const s of mk.initDistance) {
      assert.equal(s.values.length, 4);
      assert.ok(Math.abs(s.relative - s.mean / mk.lambda) <= 1e-12 * s.relative);
    }
    // the same seeds are the same W(0) whatever the model; distances shrink with m on average
    assert.ok(mk.initDistance[2].mean < mk.initDistance[0].mean, `${mk.activation} shrinks`);
  }
  assert.equal(j.models[1].kernel, 'H^sm');
  // the paired ratio to the first model, recomputed from the per-seed values
  const [e, sm] = j.models;
  sm.pairedRatioTo.ratios.forEach((pr: { m: number; ratio: number; ci: [number, number] }, k: number) => {
    const logs = sm.initDistance[k].values.map((v: number, i: number) => Math.log(v / sm.lambda / (e.initDistance[k].values[i] / e.lambda)));
    assert.ok(Math.abs(pr.ratio - Math.exp(logs.reduce((a: number, b: number) => a + b, 0) / logs.length)) <= 1e-12 * pr.ratio);
    assert.ok(pr.ci[0] < pr.ratio && pr.ratio < pr.ci[1]);
  });
  assert.equal(e.pairedRatioTo, undefined);
  assert.ok(j.models.find((mk: { activation: string }) => mk.activation === 'exp').initDistance[0].bound > 0, 'the §4B bound is printed for exp');
  assert.ok(Number.isNaN(Number(j.models[1].initDistance[0].bound ?? NaN)), 'and not for softmax');
  const svg = readFileSync(fig, 'utf-8');
  assert.match(svg, /^<svg/);
  for (const s of ['exp (H^cts)', 'softmax (H^sm)', 'ReLU (H^∞)', '§4B threshold']) assert.ok(svg.includes(s), `figure lacks '${s}'`);
  const text = run('ntk', '--activation', 'cosh,sinh', '--n', '10', '--d', '4', '--width', '200,800', '--seeds', '2');
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /comparison: mean ‖H\(W\(0\)\) − H\^lim‖₂ \/ λ/);
  assert.match(text.stdout, /H\^cosh/);
  assert.equal(run('ntk', '--figure', join(dir, 'x.svg')).code, 2, '--figure without --width');
});

test('bounds prints the §4 numbers for exp and says plainly that they do not apply to the other networks', () => {
  for (const activation of ['softmax', 'cosh', 'relu']) {
    const r = run('bounds', '--activation', activation, '--n', '8', '--d', '3', '--json');
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.applies, false);
    assert.match(j.note, /derived for the exp network/);
    assert.equal(j.widthFromB, undefined);
  }
  const text = run('bounds', '--activation', 'softmax', '--n', '8', '--d', '3');
  assert.match(text.stdout, /derived for the plain network of §1 only/);
  assert.equal(JSON.parse(run('bounds', '--n', '8', '--d', '3', '--json').stdout).applies, true);
});

test('the certificate of a softmax run shows the measured rows and says the §4 widths are not derived for it', () => {
  const r = run('train', '--activation', 'softmax', '--n', '12', '--d', '3', '--width', '256', '--monitor-every', '10', '--max-steps', '50');
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  assert.match(r.stdout, /‖H\(W\(0\)\) − H\^sm‖₂/);
  assert.match(r.stdout, /min_k λ_min\(H\(W\(k\)\)\)/);
  assert.doesNotMatch(r.stdout, /max_k R\(k\)/, 'no R* row: R* is the exp network’s constant');
  assert.match(r.stdout, /note: the widths of docs\/theory.md §4 are derived for the plain network of §1 only/);
});

test('sweep, threshold and report run every activation', () => {
  const results = join(dir, 'models.jsonl');
  const s = run('sweep', '--n', '8', '--d', '3', '--width', '64,256', '--seeds', '1', '--activation', 'cosh,sinh,softmax', '--monitor-every', '20', '--max-steps', '400', '--results', results, '--json');
  assert.ok(s.code === 0 || s.code === 1, s.stderr);
  const j = JSON.parse(s.stdout);
  assert.equal(j.total, 6);
  assert.deepEqual([...new Set(j.groups.map((g: { activation: string }) => g.activation))].sort(), ['cosh', 'sinh', 'softmax']);
  const rep = run('report', results, '--out', join(dir, 'models-report'), '--json');
  assert.equal(rep.code, 0, rep.stderr);
  const html = readFileSync(join(dir, 'models-report', 'index.html'), 'utf-8');
  for (const a of ['cosh', 'sinh', 'softmax']) assert.ok(html.includes(a), `report lacks ${a}`);
  const t = run('threshold', '--n', '4,8', '--d', '3', '--seeds', '2', '--activation', 'softmax', '--max-steps', '2000', '--m0', '8', '--grid', '1', '--results', join(dir, 'thr.jsonl'), '--json');
  assert.equal(t.code, 0, t.stderr);
  const thr = JSON.parse(t.stdout);
  assert.equal(thr.curves[0].activation, 'softmax');
  assert.match(thr.curves[0].theory[0], /none derived/);
  assert.ok(existsSync(join(dir, 'thr.jsonl')));
});
