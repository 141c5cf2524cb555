/**
 * Long commands as a user meets them: never silent off a terminal, Ctrl-C heard before step 0,
 * an interrupted sweep that says how to resume, and `npm run overparam` from another directory.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'overparam-long-'));

test('off a terminal, sweep and threshold write one line per finished run on stderr', () => {
  const s = spawnSync(process.execPath, [MAIN, 'sweep', '--n', '8', '--d', '3', '--width', '16,32', '--seeds', '2', '--max-steps', '300', '--results', join(dir, 's.jsonl')], { encoding: 'utf-8' });
  assert.equal(s.status, 0, s.stderr);
  const lines = s.stderr.split('\n').filter((l) => /^\s+\d+\/4 exp\/gaussian m=\d+ seed=\d on sphere n=8 d=3: (converged|max-steps), \d+ steps \(\d+\.\d s\)$/.test(l));
  assert.equal(lines.length, 4, s.stderr);
  const t = spawnSync(process.execPath, [MAIN, 'threshold', '--n', '4', '--d', '3', '--seeds', '2', '--max-steps', '2000', '--m0', '8', '--grid', '1', '--results', join(dir, 't.jsonl')], { encoding: 'utf-8' });
  assert.equal(t.status, 0, t.stderr);
  assert.match(t.stderr, /^probe exp\/gaussian n=4: m=8 success \d+%$/m);
  assert.match(t.stderr, /^\s+\d\/2 exp\/gaussian m=8 seed=0 on sphere n=4 d=3: /m);
});

test('Ctrl-C while η is computed stops the run before step 0 within one product, and still prints and saves', async () => {
  const model = join(dir, 'early.json');
  // n·m·d = 3.84·10⁸, just below where --eta auto leaves the power iteration (train/eta.ts): ~85
  // products of ~45 ms each here, so Ctrl-C at 1.5 s falls inside it
  const child = spawn(process.execPath, [MAIN, 'train', '--n', '1000', '--d', '16', '--width', '24000', '--json', '--save', model], { cwd: dir });
  let out = '';
  child.stdout.setEncoding('utf-8').on('data', (c: string) => (out += c));
  child.stderr.resume();
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  await new Promise((r) => setTimeout(r, 1500));
  const t0 = Date.now();
  child.kill('SIGINT');
  assert.equal(await exited, 1);
  const waited = (Date.now() - t0) / 1000;
  const j = JSON.parse(out);
  assert.equal(j.status, 'stopped');
  assert.equal(j.steps, 0);
  assert.match(j.message, /stopped by request before step 0, while η = 1\/λ_max\(H\(W\(0\)\)\) was computed/);
  assert.equal(j.conventions.eta, null, 'η was never computed: null, not a number');
  assert.ok(existsSync(model), 'the model (at W(0)) is saved');
  console.log(`# stopped ${waited.toFixed(1)} s after Ctrl-C`);
  assert.ok(waited < 30, `stopped ${waited.toFixed(1)} s after Ctrl-C`);
});

test('an interrupted sweep says so, with how to resume; rerunning it finishes the rest', async () => {
  const results = join(dir, 'int.jsonl');
  const grid = ['--n', '32', '--d', '4', '--width', '1024,2048', '--seeds', '3', '--epsilon', '1e-5', '--max-steps', '30000', '--workers', '1'];
  const child = spawn(process.execPath, [MAIN, 'sweep', ...grid, '--results', results], { cwd: dir });
  let err = '';
  child.stderr.setEncoding('utf-8').on('data', (c: string) => (err += c));
  child.stdout.resume();
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  while (!/1\/6 /.test(err) && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
  child.kill('SIGINT');
  assert.equal(await exited, 130);
  assert.match(err, /warning: interrupted after \d of 6 runs; every finished run is in .*int\.jsonl: rerun the same command to resume/);
  const again = spawnSync(process.execPath, [MAIN, 'sweep', ...grid, '--results', results, '--json'], { encoding: 'utf-8' });
  assert.equal(again.status, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout).total, 6);
  assert.equal(readFileSync(results, 'utf-8').trim().split('\n').length, 6);
});

test('npm run overparam -- … works from any directory: relative paths are the user’s', () => {
  const p = spawnSync('npm', ['--prefix', ROOT, 'run', '-s', 'overparam', '--', 'data', '--n', '5', '--d', '2', '--out', 'mine.csv'], { encoding: 'utf-8', cwd: dir });
  assert.equal(p.status, 0, p.stderr);
  assert.ok(existsSync(join(dir, 'mine.csv')), 'written where the user stood');
  assert.ok(!existsSync(join(ROOT, 'mine.csv')));
});
