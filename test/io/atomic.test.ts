/** io/atomic.ts: a set of files is replaced whole or not at all, and failures name the user's path. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DataError } from '../../src/errors.js';
import { checkOutputDir, checkOutputFile, writeFileAtomic, writeFilesAtomic } from '../../src/io/atomic.js';

const dir = mkdtempSync(join(tmpdir(), 'overparam-atomic-'));

test('writeFilesAtomic replaces the whole set, and leaves no temporary directory', () => {
  const out = join(dir, 'set');
  writeFilesAtomic(out, [{ name: 'a.txt', data: 'old a' }, { name: 'b.txt', data: 'old b' }]);
  writeFilesAtomic(out, [{ name: 'a.txt', data: 'new a' }, { name: 'b.txt', data: 'new b' }]);
  assert.equal(readFileSync(join(out, 'a.txt'), 'utf-8'), 'new a');
  assert.equal(readFileSync(join(out, 'b.txt'), 'utf-8'), 'new b');
  assert.deepEqual(readdirSync(out).sort(), ['a.txt', 'b.txt']);
});

test('writeFilesAtomic: a target that is a directory refuses the set before any file is replaced', () => {
  const out = join(dir, 'blocked');
  writeFilesAtomic(out, [{ name: 'a.txt', data: 'old a' }]);
  mkdirSync(join(out, 'b.txt', 'inside'), { recursive: true });
  assert.throws(
    () => writeFilesAtomic(out, [{ name: 'a.txt', data: 'new a' }, { name: 'b.txt', data: 'new b' }]),
    (e: Error) => e instanceof DataError && /b\.txt: is a directory; none of the 2 files in .* was replaced/.test(e.message) && !e.message.includes('.overparam-'),
  );
  assert.equal(readFileSync(join(out, 'a.txt'), 'utf-8'), 'old a', 'the old file is untouched');
  assert.deepEqual(readdirSync(out).sort(), ['a.txt', 'b.txt']);
});

test('writeFileAtomic names the path it was given, not its temporary sibling', () => {
  const target = join(dir, 'isdir');
  mkdirSync(target);
  writeFileSync(join(target, 'keep'), 'x');
  assert.throws(() => writeFileAtomic(target, 'data'), (e: Error) => e instanceof DataError && e.message.startsWith(`${target}: cannot write`) && !e.message.includes('.tmp'));
  assert.ok(!readdirSync(dir).some((f) => f.endsWith('.tmp')), 'no temporary file left');
});

test('writeFilesAtomic creates missing parents level by level; checks leave no probe behind', () => {
  const out = join(dir, 'new', 'deep', 'set');
  checkOutputDir(out);
  checkOutputFile(join(dir, 'results.jsonl'));
  assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('.overparam')), [], 'no probe directory left');
  writeFilesAtomic(out, [{ name: 'a.txt', data: 'a' }]);
  assert.equal(readFileSync(join(out, 'a.txt'), 'utf-8'), 'a');
});

// /proc takes no new entries whatever the permission bits say (and Node's recursive mkdir never returns there)
test('an output path under /proc is refused by the checks and by the write, in words', { skip: process.platform !== 'linux' }, () => {
  for (const path of ['/proc/overparam-x', '/proc/overparam-x/y']) {
    assert.throws(() => checkOutputDir(path), (e: Error) => e instanceof DataError && e.message.startsWith(`${path}: `) && e.message.includes('/proc'));
    assert.throws(() => writeFilesAtomic(path, [{ name: 'a.txt', data: 'a' }]), (e: Error) => e instanceof DataError && e.message.startsWith(`${path}: cannot create the directory`));
  }
  assert.throws(() => checkOutputFile('/proc/overparam-x.jsonl'), (e: Error) => e instanceof DataError && e.message.startsWith('/proc/overparam-x.jsonl: '));
});
