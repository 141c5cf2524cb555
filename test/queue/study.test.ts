/**
 * `overparam study --queue`: each round's runs go to an `overparam worker`, and the study gives
 * the same analysis, from the same result lines, as the same study run locally.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { REDIS_MISSING, TestRedis } from './redis.js';

const MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'overparam-queue-study-'));
const skip = REDIS_MISSING;
let redis: TestRedis;
before(async () => {
  if (!skip) redis = await TestRedis.start();
});
after(async () => {
  await redis?.stop();
});

const STUDY = ['study', '--activation', 'relu,exp', '--protocol', 'n', '--n', '4,8', '--seeds', '3', '--m-max', '64', '--max-steps', '3000', '--json'];

/** A result line without its wall time and thread count, the only fields that may differ between executions. */
const lines = (file: string) =>
  readFileSync(join(dir, file), 'utf-8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .map(({ timeMs: _t, threads: _h, ...rest }) => rest)
    .sort((a, b) => (a.id < b.id ? -1 : 1));

test('a study through the queue gives the same runs and the same analysis as the study run locally', { skip }, async () => {
  const local = spawnSync(process.execPath, [MAIN, ...STUDY, '--results', 'local.jsonl'], { encoding: 'utf-8', cwd: dir });
  assert.ok(local.status === 0 || local.status === 1, local.stderr);
  const q = ['--queue', redis.url, '--queue-name', 'study'];
  const worker = spawn(process.execPath, [MAIN, 'worker', ...q], { cwd: dir, stdio: 'ignore' });
  try {
    const queued = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const p = spawn(process.execPath, [MAIN, ...STUDY, ...q, '--results', 'queued.jsonl', '--poll-ms', '100'], { cwd: dir });
      let out = '';
      let err = '';
      p.stdout.on('data', (b: Buffer) => (out += b.toString()));
      p.stderr.on('data', (b: Buffer) => (err += b.toString()));
      p.on('exit', (code) => resolve({ code, out, err }));
    });
    assert.ok(queued.code === 0 || queued.code === 1, queued.err);
    const a = JSON.parse(local.stdout);
    const b = JSON.parse(queued.out);
    assert.ok(b.rounds >= 2, 'the queued study planned several rounds');
    assert.deepEqual(b.cells, a.cells);
    assert.deepEqual(b.fits, a.fits);
    assert.deepEqual(lines('queued.jsonl'), lines('local.jsonl'));
  } finally {
    // stopped before `after` stops Redis under it
    const exited = new Promise((r) => (worker.exitCode !== null || worker.signalCode !== null ? r(null) : worker.once('exit', r)));
    worker.kill('SIGTERM');
    await exited;
  }
});
