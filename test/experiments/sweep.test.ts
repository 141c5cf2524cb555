/**
 * Sweeps as a user runs them (spawned CLI): killed part-way and rerun, the results equal an
 * uninterrupted sweep's; nothing is duplicated; a torn last line is repaired. Plus a small
 * end-to-end threshold run.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readResults } from '../../src/experiments/results.js';
import type { RunResult } from '../../src/experiments/run.js';

const MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'overparam-sweep-'));
const GRID = ['--n', '8,16,24', '--d', '3', '--width', '64,256,1024', '--seeds', '2', '--activation', 'exp,relu', '--epsilon', '1e-3', '--max-steps', '3000', '--workers', '2'];

const lines = (path: string): number => (existsSync(path) ? readFileSync(path, 'utf-8').split('\n').filter((l) => l.length > 0).length : 0);
/** Everything a run produced except its wall time. */
const comparable = (r: RunResult) => JSON.stringify({ ...r, timeMs: 0 });
function byId(path: string): Map<string, string> {
  const rs = readResults(path).results;
  const m = new Map<string, string>();
  for (const r of rs) {
    assert.ok(!m.has(r.id), `run ${r.id} appears twice in ${path}`);
    m.set(r.id, comparable(r));
  }
  return m;
}

test('a sweep killed part-way and rerun ends with exactly the results of an uninterrupted sweep', async () => {
  const full = join(dir, 'full.jsonl');
  const first = spawnSync(process.execPath, [MAIN, 'sweep', ...GRID, '--results', full, '--json'], { encoding: 'utf-8' });
  assert.equal(first.status, 0, first.stderr);
  const total = JSON.parse(first.stdout).total as number;
  assert.equal(total, 36);
  assert.equal(lines(full), total);

  const killed = join(dir, 'killed.jsonl');
  const child = spawn(process.execPath, [MAIN, 'sweep', ...GRID, '--results', killed], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  let seen = 0;
  while ((seen = lines(killed)) < 4 && child.exitCode === null) await new Promise((r) => setTimeout(r, 5));
  child.kill('SIGKILL');
  await exited;
  const atKill = lines(killed);
  assert.ok(atKill >= 4 && atKill < total, `killed after ${atKill} of ${total} runs (saw ${seen})`);

  const again = spawnSync(process.execPath, [MAIN, 'sweep', ...GRID, '--results', killed, '--json'], { encoding: 'utf-8' });
  assert.equal(again.status, 0, again.stderr);
  const summary = JSON.parse(again.stdout);
  assert.ok(summary.skipped >= atKill - 1 && summary.skipped <= atKill, `skipped ${summary.skipped}, ${atKill} lines at the kill`);
  assert.equal(summary.ran + summary.skipped, total);
  assert.deepEqual(byId(killed), byId(full));

  // a third run does nothing and changes nothing
  const third = spawnSync(process.execPath, [MAIN, 'sweep', ...GRID, '--results', killed, '--json'], { encoding: 'utf-8' });
  assert.equal(JSON.parse(third.stdout).ran, 0);
  assert.equal(lines(killed), total);
});

test('a torn last line (killed mid-write) is cut off and its run redone', () => {
  const path = join(dir, 'torn.jsonl');
  const small = ['--n', '8', '--d', '3', '--width', '64', '--seeds', '3', '--workers', '1'];
  assert.equal(spawnSync(process.execPath, [MAIN, 'sweep', ...small, '--results', path]).status, 0);
  const before = byId(path);
  const text = readFileSync(path, 'utf-8').trim().split('\n');
  // drop the last run and leave half of its line
  writeFileSync(path, text.slice(0, -1).join('\n') + '\n');
  appendFileSync(path, text.at(-1)!.slice(0, 40));
  assert.equal(readResults(path).torn, true);
  const r = spawnSync(process.execPath, [MAIN, 'sweep', ...small, '--results', path, '--json'], { encoding: 'utf-8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).ran, 1);
  assert.deepEqual(byId(path), before);
});

test('a small end-to-end threshold run: m*(n) is monotone in n and the fit is printed beside the theory', () => {
  const res = join(dir, 'th.jsonl');
  const r = spawnSync(process.execPath, [MAIN, 'threshold', '--n', '4,8,16', '--d', '3', '--seeds', '3', '--max-steps', '5000', '--m0', '8', '--grid', '2', '--m-max', '65536', '--results', res, '--json'], {
    encoding: 'utf-8',
  });
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  const curve = j.curves[0];
  const ms = curve.points.map((p: { mStar: number }) => p.mStar);
  assert.ok(ms.every((m: number | null) => m !== null), `m* = ${ms}`);
  for (let k = 1; k < ms.length; k++) assert.ok(ms[k] >= ms[k - 1], `m* not monotone: ${ms}`);
  assert.equal(typeof curve.fit.exponent, 'number');
  assert.ok(curve.theory.some((t: string) => t.includes('n^{2+o(1)}')));
  // every probe is backed by runs in the results file, one per seed
  const runs = readResults(res).results;
  for (const p of curve.points) for (const pr of p.probes) assert.equal(runs.filter((x) => x.spec.model.m === pr.m && x.spec.data.kind === 'synthetic' && x.spec.data.n === p.n).length, 3);
});

test('threshold: runs that end in an error leave m* undetermined (exit 1), never counted as a failing width', () => {
  const res = join(dir, 'th-err.jsonl');
  // 1 KiB is less than any run needs: every run is refused by the memory estimate
  const r = spawnSync(process.execPath, [MAIN, 'threshold', '--n', '4,8', '--d', '2', '--seeds', '2', '--m0', '64', '--m-max', '1024', '--grid', '1', '--max-memory', '1k', '--activation', 'exp', '--init', 'gaussian', '--results', res], { encoding: 'utf-8' });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /n = +4 +m\* undetermined: 2 of 2 run\(s\) at m = 64 ended in an error: this run needs about/);
  assert.match(r.stdout, /n = +8 +m\* undetermined/);
  // each failed run's line names the flag and what to change, as any CLI error does
  assert.match(r.stderr, /: error: --max-memory: this run needs about .* \(try lower --width, or raise --max-memory\) \(\d+\.\d s\)$/m);
  assert.doesNotMatch(r.stdout, /m\* = +>|largest failing width/, 'no search climbed past the errors');
  assert.equal(readResults(res).results.length, 4, 'only the first width was tried, for each n and seed');
});

const DISK_GRID = ['--n', '8', '--d', '3', '--width', '16,32', '--seeds', '4', '--max-steps', '200', '--workers', '1'];
/** Every line parses: no partial line in the middle, ever. */
function wholeLines(path: string): number {
  const text = readFileSync(path, 'utf-8');
  assert.ok(text.length === 0 || text.endsWith('\n'), 'the file ends with a complete line');
  const ls = text.split('\n').filter((l) => l.length > 0);
  for (const l of ls) JSON.parse(l);
  return ls.length;
}

test('a results file that hits its size limit mid-sweep: exit 3 naming the file, complete lines only; the rerun finishes it', () => {
  const path = join(dir, 'limited.jsonl');
  // bash's `ulimit -f` (1024-byte blocks) makes writes past 40 KB short, then EFBIG: a line of ~9 KB breaks off
  const cut = spawnSync('bash', ['-c', `ulimit -f 40; exec "${process.execPath}" "${MAIN}" sweep ${DISK_GRID.join(' ')} --results "${path}"`], { encoding: 'utf-8' });
  assert.equal(cut.status, 3, cut.stderr);
  // the runs' lines off a terminal, then one error line (the last)
  assert.match(cut.stderr, new RegExp(`\\nerror: ${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: cannot append the result of run [0-9a-f]{16}: the file size limit was reached \\(EFBIG\\); the file keeps its complete lines\\. Free space and rerun the same command to resume\\n$`));
  const kept = wholeLines(path);
  assert.ok(kept >= 1 && kept < 8, `${kept} lines kept`);
  const again = spawnSync(process.execPath, [MAIN, 'sweep', ...DISK_GRID, '--results', path, '--json'], { encoding: 'utf-8' });
  assert.equal(again.status, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout).skipped, kept);
  assert.equal(wholeLines(path), 8);
  assert.ok(!existsSync(`${path}.lock`), 'the lock is released');
});

test('a full disk (a small tmpfs) mid-sweep: exit 3 with ENOSPC; once space frees up the rerun completes a clean file', { skip: process.getuid?.() !== 0 ? 'needs root to mount a tmpfs' : false }, (t) => {
  const mnt = join(dir, 'small-disk');
  mkdirSync(mnt, { recursive: true });
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt], { encoding: 'utf-8' });
  if (mount.status !== 0) {
    t.skip(`cannot mount a tmpfs here: ${mount.stderr.trim()}`);
    return;
  }
  try {
    const filler = join(mnt, 'filler');
    writeFileSync(filler, Buffer.alloc(256 * 1024 - 28 * 1024)); // about 3 lines of room left
    const path = join(mnt, 'runs.jsonl');
    const full = spawnSync(process.execPath, [MAIN, 'sweep', ...DISK_GRID, '--results', path], { encoding: 'utf-8' });
    assert.equal(full.status, 3, full.stderr);
    assert.match(full.stderr, /runs\.jsonl: cannot append the result of run [0-9a-f]{16}: the disk is full \(ENOSPC\); the file keeps its complete lines/);
    assert.doesNotMatch(full.stderr, /\n\s+at /, 'no stack trace');
    const kept = wholeLines(path);
    rmSync(filler);
    const again = spawnSync(process.execPath, [MAIN, 'sweep', ...DISK_GRID, '--results', path, '--json'], { encoding: 'utf-8' });
    assert.equal(again.status, 0, again.stderr);
    assert.equal(JSON.parse(again.stdout).skipped, kept);
    assert.equal(wholeLines(path), 8);
  } finally {
    spawnSync('umount', [mnt]);
  }
});

test('sweep --results over a file that is not a results file refuses, leaving it as it was', () => {
  const path = join(dir, 'my-notes.txt');
  writeFileSync(path, 'results of last week, no trailing newline');
  const r = spawnSync(process.execPath, [MAIN, 'sweep', ...DISK_GRID, '--results', path], { encoding: 'utf-8' });
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, /my-notes\.txt: line 1 is not an overparam run result \(not a results file\?\); it is left as it is/);
  assert.equal(readFileSync(path, 'utf-8'), 'results of last week, no trailing newline');
});

test('two sweeps on one results file: the second is refused while the first runs, which records each run once', async () => {
  const path = join(dir, 'shared.jsonl');
  // the first must still hold the lock when the second has started (~0.3 s): these 6 runs take ~3.5 s
  // here, where the old grid (512,1024 to 1e-6: 0.45 s in all) let the first finish first under load
  const grid = ['--n', '16', '--d', '4', '--width', '4096,8192', '--seeds', '3', '--epsilon', '1e-12', '--max-steps', '20000', '--workers', '1'];
  const first = spawn(process.execPath, [MAIN, 'sweep', ...grid, '--results', path, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  first.stdout.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((r) => first.on('exit', (code) => r(code)));
  while (!existsSync(`${path}.lock`) && first.exitCode === null) await new Promise((r) => setTimeout(r, 10));
  const second = spawnSync(process.execPath, [MAIN, 'sweep', ...grid, '--results', path], { encoding: 'utf-8' });
  assert.equal(second.status, 3, second.stderr);
  assert.match(second.stderr, new RegExp(`is being written by another sweep \\(pid ${first.pid}\\)`));
  assert.equal(await exited, 0);
  assert.equal(JSON.parse(out).ran, 6);
  const ids = readResults(path).results.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length, 'each run once');
  assert.equal(ids.length, 6);
});

test('small runs: the in-process sweep (several runs per native call) and the worker-thread sweep write the same results, bit for bit but the wall times', async () => {
  const { runSweep } = await import('../../src/experiments/sweep.js');
  const { expandGrid, parseGrid } = await import('../../src/experiments/grid.js');
  const specs = expandGrid(parseGrid({ n: [8, 16], width: [8, 32, 128], seeds: 3, activation: ['exp', 'relu', 'softmax'], maxSteps: 3000, epsilon: 0.01, monitorEvery: 0 }));
  const a = join(dir, 'inprocess.jsonl');
  const b = join(dir, 'workers.jsonl');
  const ra = await runSweep(specs, a, { workers: 2 });
  const rb = await runSweep(specs, b, { workers: 2, inProcess: false });
  assert.equal(ra.ran, specs.length);
  assert.equal(rb.ran, specs.length);
  const strip = (r: RunResult | undefined) => JSON.stringify({ ...r, timeMs: 0, threads: 0 });
  specs.forEach((_, k) => assert.equal(strip(ra.results[k]), strip(rb.results[k]), `run ${k}`));
  // and the same again from the files: the in-process sweep resumes like any other
  const again = await runSweep(specs, a, { workers: 2 });
  assert.equal(again.ran, 0);
});
