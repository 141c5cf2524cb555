/**
 * The results file's promise (experiments/results.ts): complete lines only, at most a torn last
 * line, whatever the disk does; never truncating a file that is not a results file; one writer at
 * a time. The disk's failures come from a stand-in for node:fs that writes short and then fails.
 */
import assert from 'node:assert/strict';
import { closeSync, existsSync, fstatSync, ftruncateSync, mkdtempSync, openSync, readdirSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DataError } from '../../src/errors.js';
import { readResults, removeStale, ResultsWriter, type ResultsIo } from '../../src/experiments/results.js';
import type { RunResult } from '../../src/experiments/run.js';

const dir = mkdtempSync(join(tmpdir(), 'overparam-results-'));

const result = (id: string): RunResult =>
  ({ kind: 'overparam-run', id, spec: { id }, status: 'converged', message: 'm', steps: 3, initialResidual: 1, residual: 0.1, movement: 0.2, eta: 0.1, lambdaMax: 10, conventions: null, history: null, timeMs: 1 }) as unknown as RunResult;

/** node:fs whose writes give at most `chunk` bytes, and that fail with `code` once `budget` bytes are written. */
function flakyDisk(budget: number, chunk: number, code = 'ENOSPC'): ResultsIo & { written: () => number } {
  let written = 0;
  return {
    openSync,
    fstatSync,
    ftruncateSync,
    closeSync,
    writeSync: (fd, b, o, l) => {
      if (written >= budget) throw Object.assign(new Error(`${code}: no space left on device, write`), { code });
      const k = writeSync(fd, b, o, Math.min(l, chunk, budget - written));
      written += k;
      return k;
    },
    written: () => written,
  };
}

const linesOf = (path: string): string[] => readFileSync(path, 'utf-8').split('\n');

test('short writes are continued until the whole line is out', () => {
  const path = join(dir, 'short.jsonl');
  const w = new ResultsWriter(path, flakyDisk(1e9, 7));
  for (const id of ['a', 'b', 'c']) w.append(result(id));
  w.close();
  assert.deepEqual(readResults(path).results.map((r) => r.id), ['a', 'b', 'c']);
});

test('a full disk mid-line: the file is cut back to its complete lines, the error names it, and later appends stay whole', () => {
  for (const code of ['ENOSPC', 'EFBIG', 'EDQUOT']) {
    const path = join(dir, `full-${code}.jsonl`);
    const one = JSON.stringify(result('a')).length + 1;
    const disk = flakyDisk(2 * one + 10, 64, code); // two lines fit, the third breaks off after 10 bytes
    const w = new ResultsWriter(path, disk);
    w.append(result('a'));
    w.append(result('b'));
    assert.throws(
      () => w.append(result('c')),
      (e: unknown) => e instanceof DataError && e.message.startsWith(`${path}: cannot append the result of run c`) && /keeps its complete lines/.test(e.message),
    );
    w.close();
    assert.ok(disk.written() > 2 * one, 'part of the third line had reached the disk');
    assert.equal(readFileSync(path, 'utf-8').length, 2 * one, `${code}: cut back to the two complete lines`);
    // space frees up: the next writer appends whole lines after them, nothing torn in the middle
    const w2 = new ResultsWriter(path);
    w2.append(result('c'));
    w2.close();
    const lines = linesOf(path);
    assert.equal(lines.at(-1), '');
    for (const l of lines.slice(0, -1)) JSON.parse(l);
    assert.deepEqual(readResults(path).results.map((r) => r.id), ['a', 'b', 'c']);
  }
});

test('a torn last line of a results file is dropped; a file that is not one is refused and left untouched', () => {
  const torn = join(dir, 'torn.jsonl');
  writeFileSync(torn, JSON.stringify(result('a')) + '\n' + JSON.stringify(result('b')).slice(0, 40));
  assert.equal(readResults(torn).torn, true);
  const w = new ResultsWriter(torn);
  w.append(result('c'));
  w.close();
  assert.deepEqual(readResults(torn).results.map((r) => r.id), ['a', 'c']);
  for (const [name, text] of [
    ['notes.txt', 'my notes, no trailing newline'],
    ['numbers.csv', 'a,b\n1,2'],
    ['json-array.json', '[1, 2, 3]'],
    ['other.jsonl', '{"kind":"something-else","id":"x"}\n{"kind":"some'],
  ] as const) {
    const path = join(dir, name);
    writeFileSync(path, text);
    assert.throws(() => new ResultsWriter(path), DataError, name);
    assert.equal(readFileSync(path, 'utf-8'), text, `${name} was changed`);
    assert.ok(!existsSync(`${path}.lock`), `${name}: the lock taken to read it is released`);
  }
  assert.throws(() => new ResultsWriter(dir), /not a regular file/);
});

test('one writer at a time: a second one is refused while the first holds the lock; a dead owner’s lock is taken over', () => {
  const path = join(dir, 'locked.jsonl');
  const first = new ResultsWriter(path);
  assert.throws(() => new ResultsWriter(path), (e: unknown) => e instanceof DataError && new RegExp(`being written by another sweep \\(pid ${process.pid}\\)`).test(e.message));
  first.append(result('a'));
  first.close();
  const second = new ResultsWriter(path);
  second.close();
  // a lock left by a process that no longer exists (pid far above the kernel's pid_max)
  writeFileSync(`${path}.lock`, JSON.stringify({ pid: 2 ** 30, host: hostname() }) + '\n');
  const third = new ResultsWriter(path);
  third.append(result('b'));
  third.close();
  assert.deepEqual(readResults(path).results.map((r) => r.id), ['a', 'b']);
});

test('a stale lock is removed only if it is still the one that was read', () => {
  const lock = join(dir, 'race.jsonl.lock');
  const stale = JSON.stringify({ pid: 2 ** 30, host: hostname() }) + '\n';
  const fresh = JSON.stringify({ pid: process.pid, host: hostname() }) + '\n';
  // between our read and our removal another sweep took the stale lock over and wrote its own
  writeFileSync(lock, fresh);
  removeStale(lock, stale);
  assert.equal(readFileSync(lock, 'utf-8'), fresh, "the other sweep's fresh lock is put back");
  writeFileSync(lock, stale);
  removeStale(lock, stale);
  assert.ok(!existsSync(lock), 'the stale lock is gone');
  removeStale(lock, stale); // already gone: nothing to do, no error
  assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('race.jsonl.lock')), [], 'nothing left aside');
});

test('the writer closes its file descriptor even when cutting back fails', () => {
  const path = join(dir, 'nocut.jsonl');
  const io: ResultsIo = { ...flakyDisk(5, 64), ftruncateSync: () => { throw Object.assign(new Error('EIO'), { code: 'EIO' }); } };
  const w = new ResultsWriter(path, io);
  assert.throws(() => w.append(result('a')), /could not be cut back/);
  w.close();
  // the torn prefix is recognisably a result's start, so the next writer repairs it
  assert.equal(readResults(path).torn, true);
  const w2 = new ResultsWriter(path);
  w2.append(result('b'));
  w2.close();
  assert.deepEqual(readResults(path).results.map((r) => r.id), ['b']);
  const fd = openSync(path, 'r');
  assert.ok(fstatSync(fd).size > 0);
  closeSync(fd);
});

test('what a writer leaves for the next reading of its file is what parsing the file gives (NaN, −0, undefined and later changes to the result objects included)', () => {
  const path = join(dir, 'cached.jsonl');
  const w = new ResultsWriter(path);
  const odd = { ...result('a'), residual: Number.NaN, movement: -0, lambdaMax: undefined, history: { residual: [1, Number.POSITIVE_INFINITY, 0.5] } } as unknown as RunResult;
  const plain = result('b');
  w.append(odd);
  w.append(plain);
  w.close();
  (plain as unknown as { steps: number }).steps = 99; // the caller's object, changed after the write
  const parsed = readFileSync(path, 'utf-8').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as RunResult);
  const cached = readResults(path); // served from what the writer left (the file is unchanged since)
  assert.deepEqual(cached.results, parsed);
  assert.equal(cached.results[1].steps, 3);
  assert.equal(cached.validBytes, readFileSync(path).length);
});
