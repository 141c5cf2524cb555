/**
 * `overparam report`, `train --report` and `replicate du2019` as a user runs them (spawned
 * `dist/cli/main.js`; npm test builds first): pages render, figures carry their series, absent
 * data are skipped with a note, and du2019's larger widths move less.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { XMLValidator } from 'fast-xml-parser';
import { PNG } from 'pngjs';
import { svgSize } from '../../src/report/render.js';
import { svgTexts } from '../report/fixtures.js';

const MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'overparam-report-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]) {
  const p = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf-8', cwd: dir, env: { ...process.env } });
  return { code: p.status, stdout: p.stdout, stderr: p.stderr };
}

interface Written {
  index: string;
  figures: { name: string; svg: string; png: string; pngWidth: number; pngHeight: number }[];
  skipped: { name: string; reason: string }[];
}

/** Checks one figure: well-formed SVG with the given legend entries (and a conventions line), PNG of the stated size at `scale`. */
function checkFigure(w: Written, name: string, series: readonly string[], scale = 2): string[] {
  const f = w.figures.find((x) => x.name === name);
  assert.ok(f, `figure ${name} missing (have ${w.figures.map((x) => x.name).join(', ')})`);
  const svg = readFileSync(f.svg, 'utf-8');
  assert.equal(XMLValidator.validate(svg), true, name);
  const texts = svgTexts(svg);
  for (const s of series) assert.ok(texts.includes(s), `${name}: legend lacks '${s}'`);
  assert.ok(texts.some((t) => t.startsWith('Conventions: ')), `${name}: conventions missing`);
  const png = PNG.sync.read(readFileSync(f.png));
  const size = svgSize(svg);
  assert.equal(png.width, Math.round(scale * size.width), name);
  assert.ok(Math.abs(png.height - scale * size.height) <= 1, name);
  assert.equal(png.height, f.pngHeight);
  return texts;
}

describe('overparam report', () => {
  const results = join(dir, 'sweep.jsonl');
  it('renders the page of a small monitored sweep: every figure, its series, the threshold fit and certificates', () => {
    const s = run('sweep', '--n', '4,8', '--d', '3', '--width', '16,64,256', '--seeds', '2', '--activation', 'exp,relu', '--max-steps', '2000', '--monitor-every', '10', '--workers', '2', '--results', results, '--json');
    assert.ok(s.code === 0 || s.code === 1, s.stderr);
    const out = join(dir, 'rep');
    const r = run('report', results, '--out', out, '--max-runs', '3', '--json');
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as Written & { runs: number; monitoredRuns: number; shownRuns: string[]; thresholds: { activation: string; points: { n: number; mStar: number | null }[]; fit: unknown }[] };
    assert.equal(j.runs, 24);
    assert.equal(j.monitoredRuns, 24);
    assert.ok(existsSync(j.index));
    assert.equal(j.shownRuns.length, 3);
    const loss = checkFigure(j, 'loss', j.shownRuns.map((l) => `${l}: actual ‖r(k)‖`));
    assert.ok(loss.some((t) => t.includes('linearised')) && loss.some((t) => t.includes('envelope')));
    checkFigure(j, 'lambda-min', []);
    checkFigure(j, 'movement', []);
    checkFigure(j, 'kernel-distance', ['‖H(W(0)) − H^lim‖₂, exp, n = 4', '‖H(W(0)) − H^lim‖₂, ReLU, n = 8']);
    checkFigure(j, 'movement-width', ['max_k R(k), exp, n = 4', 'max_k R(k), ReLU, n = 8']);
    for (const c of j.thresholds) {
      // drawn where m* is bracketed (not merely bounded) at two or more n, i.e. where there is a fit
      if (c.fit !== null) checkFigure(j, `threshold-${c.activation}-gaussian`, []);
    }
    const html = readFileSync(j.index, 'utf-8');
    assert.match(html, /Certificate of /);
    assert.match(html, /λ_min\(H\(W\(k\)\)\)/);
    assert.match(html, /m\*\(n\) read off the runs/);
  });

  it('skips figures whose data are absent, with a note on the page and in --json', () => {
    const plain = join(dir, 'plain.jsonl');
    const s = run('sweep', '--n', '8', '--d', '3', '--width', '64', '--seeds', '2', '--max-steps', '500', '--workers', '1', '--results', plain, '--json');
    assert.ok(s.code === 0 || s.code === 1, s.stderr);
    const out = join(dir, 'plain-rep');
    const r = run('report', plain, '--out', out, '--json');
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as Written;
    assert.deepEqual(j.figures, []);
    const skipped = j.skipped.map((x) => x.name);
    for (const name of ['loss', 'lambda-min', 'movement', 'kernel-distance', 'movement-width', 'threshold-exp-gaussian']) assert.ok(skipped.includes(name), `${name} not reported as skipped`);
    assert.match(j.skipped.find((x) => x.name === 'loss')!.reason, /monitor/);
    const html = readFileSync(j.index, 'utf-8');
    assert.match(html, /Not drawn: loss\./);
    assert.match(html, /Not drawn: movement-width\./);
    const human = run('report', plain, '--out', out);
    assert.match(human.stdout, /not drawn: kernel-distance/);
    assert.equal(run('report', join(dir, 'missing.jsonl'), '--out', out).code, 3);
  });
});

describe('overparam train --report', () => {
  it('writes the report of one run, turning the monitor on when it was off', () => {
    const out = join(dir, 'train-rep');
    const r = run('train', '--n', '12', '--d', '3', '--width', '128', '--activation', 'relu', '--monitor-every', '0', '--report', out, '--png-scale', '1');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /turned it on/);
    assert.match(r.stdout, /wrote .*index\.html/);
    const html = readFileSync(join(out, 'index.html'), 'utf-8');
    assert.match(html, /Certificate of /);
    assert.match(html, /Not drawn: movement-width\./);
    for (const name of ['loss', 'lambda-min', 'movement', 'flips']) {
      const svg = readFileSync(join(out, 'figures', `${name}.svg`), 'utf-8');
      assert.equal(XMLValidator.validate(svg), true);
      const png = PNG.sync.read(readFileSync(join(out, 'figures', `${name}.png`)));
      assert.equal(png.width, Math.round(svgSize(svg).width));
    }
    assert.ok(svgTexts(readFileSync(join(out, 'figures', 'loss.svg'), 'utf-8')).includes('actual ‖r(k)‖'));
  });
});

describe('overparam replicate du2019 --quick', () => {
  it('produces its three figures, one series per width, and the larger width moves less', () => {
    const out = join(dir, 'du');
    const r = run('replicate', 'du2019', '--quick', '--results', join(dir, 'du.jsonl'), '--out', out, '--json');
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as Written & {
      setup: { widths: number[]; steps: { activation: string; eta: number }[] };
      summary: { activation: string; rows: { m: number; maxMovement: number; flipFraction: number | null }[] }[];
    };
    const widths = j.setup.widths;
    assert.deepEqual(widths, [50, 200, 800]);
    const loss = checkFigure(j, 'du2019-loss', widths.flatMap((m) => [`ReLU, m = ${m}`, `exp, m = ${m}`]));
    // the quick scale stops at ‖r‖₂ ≤ 1e-4: on a loss axis the target is ½ε² = 5e-9
    const target = loss.find((t) => t.startsWith('target ½ε² = '));
    assert.ok(target, 'du2019-loss: the ε rule is missing');
    assert.ok(Math.abs(Number(target.slice('target ½ε² = '.length)) - 5e-9) < 1e-12, target);
    checkFigure(j, 'du2019-flips', widths.map((m) => `m = ${m}`));
    checkFigure(j, 'du2019-movement', ['max_k R(k), ReLU', 'max_k R(k), exp']);
    for (const st of j.setup.steps) assert.ok(st.eta > 0);
    // Du et al.'s finding: max_r ‖w_r(k) − w_r(0)‖ decreases with m (strictly for ReLU; exp's heavy tails make it noisier)
    const relu = j.summary.find((a) => a.activation === 'relu')!.rows;
    for (let i = 1; i < relu.length; i++) assert.ok(relu[i].maxMovement < relu[i - 1].maxMovement, `ReLU movement at m=${relu[i].m} not below m=${relu[i - 1].m}`);
    for (let i = 1; i < relu.length; i++) assert.ok(relu[i].flipFraction! < relu[i - 1].flipFraction!);
    const exp = j.summary.find((a) => a.activation === 'exp')!.rows;
    assert.ok(exp.at(-1)!.maxMovement < exp[0].maxMovement);
    // rerun: everything resumes from the results file
    const again = run('replicate', 'du2019', '--quick', '--results', join(dir, 'du.jsonl'), '--out', out, '--json');
    assert.equal(JSON.parse(again.stdout).resumed, 6);
  });
});
