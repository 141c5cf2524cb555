/**
 * `overparam study` as a user runs it (the built CLI, npm test builds first): a tiny study in
 * seconds, its resumption from the results file, its report, and its refusals of bad input.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'overparam-study-'));
const run = (...args: string[]) => {
  const p = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf-8', cwd: dir });
  return { code: p.status, stdout: p.stdout, stderr: p.stderr };
};
/** The tiny study: ReLU and exp, d = n and d = 4, n = 4 and 8, 3 seeds, widths ≤ 64 (about 150 runs, a few seconds). */
export const TINY = ['--activation', 'relu,exp', '--protocol', 'n,4', '--n', '4,8', '--seeds', '3', '--m-max', '64', '--max-steps', '3000'];

test('a tiny study runs, states its conventions, reports every event with intervals, and resumes from its results file', () => {
  const first = run('study', ...TINY, '--results', 'tiny.jsonl', '--json', '--report', 'tiny-report');
  assert.ok(first.code === 0 || first.code === 1, first.stderr);
  const a = JSON.parse(first.stdout);
  assert.equal(a.command, 'study');
  assert.equal(a.complete, true);
  for (const k of ['scaling', 'normalization', 'precision', 'eta', 'epsilon', 'budget', 'seeds', 'thresholds']) assert.ok(k in a.conventions, `conventions lack ${k}`);
  assert.equal(a.cells.length, 2 * 2 * 2);
  const lines = readFileSync(join(dir, 'tiny.jsonl'), 'utf-8').trim().split('\n');
  assert.equal(a.runs, new Set(lines.map((l) => JSON.parse(l).id)).size);
  for (const cell of a.cells) {
    assert.deepEqual(cell.curves.map((c: { event: string }) => c.event), ['int', 'B', 'lazy']);
    for (const curve of cell.curves) {
      for (const w of curve.rates) {
        assert.equal(w.runs, 3);
        assert.ok(w.wilson[0] <= w.rate && w.rate <= w.wilson[1], 'the rate lies in its Wilson interval');
        assert.ok(w.clopperPearson[0] <= w.wilson[0] + 1e-12 || w.successes === 0, 'Clopper–Pearson is the wider');
      }
      for (const t of [curve.half, curve.high]) {
        assert.ok(['estimated', 'censored-below', 'censored-above', 'open-interval', 'insufficient'].includes(t.status));
        if (t.status === 'estimated') assert.ok(t.ci[0] <= t.m && t.m <= t.ci[1]);
        else assert.ok(t.status !== 'censored-below' || t.m === null);
      }
    }
  }
  // every fit states what it used and what it refused
  for (const f of a.fits) assert.equal(f.used.length + f.refused.length, 2);
  assert.ok(existsSync(join(dir, 'tiny-report', 'index.html')), 'the report was written');
  // the same command again: nothing to run, the same analysis
  const again = run('study', ...TINY, '--results', 'tiny.jsonl', '--json');
  const b = JSON.parse(again.stdout);
  assert.equal(b.rounds, 0);
  assert.deepEqual(b.cells, a.cells);
  assert.deepEqual(b.fits, a.fits);
  // the text output names the events, the conventions and the censoring
  const text = run('study', ...TINY, '--results', 'tiny.jsonl');
  for (const s of ['interpolation', '§4B', '§4A', 'budget 4·T', 'float64', 'seeds 0…2', 'd = 4', 'd = n']) assert.ok(text.stdout.includes(s), `the text lacks '${s}':\n${text.stdout}`);
});

test('bad study options are refused with the reason, never a stack trace', () => {
  for (const [args, why] of [
    [['--protocol', 'x'], /neither 'n'/],
    [['--delta', '0'], /--delta must lie in \(0, 1\)/],
    [['--seeds', '0'], /--seeds must be an integer ≥ 1/],
    [['--activation', 'tanh'], /activation/],
    [['--m-min', '64', '--m-max', '8'], /--m-max must be an integer ≥ 64/],
    [['--budget', '-2'], /--budget must be a positive number/],
    [['--n', ''], /--n needs at least one/],
  ] as [string[], RegExp][]) {
    const r = run('study', ...args, '--results', 'bad.jsonl');
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, why);
    assert.ok(!/\n\s+at /.test(r.stderr), `stack trace for ${args.join(' ')}:\n${r.stderr}`);
  }
});
