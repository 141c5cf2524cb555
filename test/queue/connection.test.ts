/** Queue addresses, password redaction, and the checks on specs and results (no Redis needed). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OptionError, DataError } from '../../src/errors.js';
import { expandGrid, parseGrid } from '../../src/experiments/grid.js';
import { runOne } from '../../src/experiments/run.js';
import { MAX_SPEC_BYTES, runId } from '../../src/experiments/spec.js';
import { describeAddress, parseQueueUrl, redactUrls, scrub } from '../../src/queue/connection.js';
import { checkResult, specOfJob, verifyResult } from '../../src/queue/verify.js';

test('queue URLs: host, port, db, user and password, percent-decoded; defaults', () => {
  const a = parseQueueUrl('redis://:p%40ss%3Aw0rd@10.0.0.5:6380/3', { name: 'exp1' });
  assert.deepEqual(a, { tls: false, host: '10.0.0.5', port: 6380, db: 3, password: 'p@ss:w0rd', name: 'exp1' });
  assert.deepEqual(parseQueueUrl('redis://localhost'), { tls: false, host: 'localhost', port: 6379, db: 0, name: 'sweep' });
  const b = parseQueueUrl('rediss://alice:pw@[::1]:7000', { password: 'ignored' });
  assert.equal(b.tls, true);
  assert.equal(b.host, '::1');
  assert.equal(b.username, 'alice');
  assert.equal(b.password, 'pw');
  assert.equal(parseQueueUrl('redis://h:1', { password: 'from-env' }).password, 'from-env');
});

test('malformed queue URLs are OptionErrors that never show the password', () => {
  for (const url of ['http://:hunter2@h:1', 'redis://:hunter2@h:99999', 'redis://:hunter2@h:1/x', 'redis://:hunter2@h:1/0?db=1', 'redis://:hunter2@', 'not a url hunter2', 'redis://:%E0%A4%A@h:1']) {
    assert.throws(
      () => parseQueueUrl(url),
      (e: Error) => e instanceof OptionError && !e.message.includes('hunter2') && !e.message.includes('%E0%A4%A'),
      url,
    );
  }
  assert.throws(() => parseQueueUrl('redis://h:1', { name: 'a:b' }), OptionError);
});

test('redaction: URLs in any text, the address, and the raw and encoded password', () => {
  assert.equal(redactUrls('at redis://:pw@h:1/0 and rediss://bob:x%40y@h2'), 'at redis://:***@h:1/0 and rediss://bob:***@h2');
  const a = parseQueueUrl('redis://:p%40ss@h:1/2', { name: 'q' });
  assert.equal(describeAddress(a), "redis://:***@h:1/2 queue 'q'");
  assert.equal(scrub('AUTH p@ss failed; url redis://:p%40ss@h:1', a), 'AUTH *** failed; url redis://:***@h:1');
});

const specs = expandGrid(parseGrid({ n: [8], width: [64], seeds: 1, maxSteps: 50, data: [{ d: 3 }] }));

test('workers refuse malformed, oversized and mislabelled run specs with a clear error', () => {
  const spec = specs[0];
  assert.deepEqual(specOfJob(runId(spec), JSON.parse(JSON.stringify(spec))), spec);
  assert.throws(() => specOfJob('x', { ...spec, eta: -1 }), (e: Error) => e instanceof OptionError && /malformed run spec in job x: .*eta/.test(e.message));
  assert.throws(() => specOfJob('x', 'rm -rf /'), /malformed run spec.*JSON object/);
  assert.throws(() => specOfJob('x', { ...spec, extra: 'x'.repeat(MAX_SPEC_BYTES) }), /malformed run spec.*too large/);
  assert.throws(() => specOfJob('0123456789abcdef', spec), /whose id is .*: refused/);
});

test('a result that does not match its run is rejected', () => {
  const spec = specs[0];
  const r = runOne(spec);
  const id = runId(spec);
  assert.equal(verifyResult(JSON.stringify(r), { id, spec }).id, id);
  const other = { ...spec, model: { ...spec.model, seed: 99 } };
  const cases: [string, unknown][] = [
    ['forged id', { ...r, id: '0123456789abcdef' }],
    ['spec changed, id kept', { ...r, spec: other }],
    ['result of another run', { ...r, spec: other, id: runId(other) }],
    ['not a result', { ...r, kind: 'something' }],
    ['spec with an extra field', { ...r, spec: { ...spec, hidden: 1 } }],
  ];
  for (const [what, bad] of cases) assert.throws(() => checkResult(bad as typeof r, { id, spec }), DataError, what);
  assert.throws(() => verifyResult('{not json', { id }), /not JSON/);
});

test('an unencoded @ in the password is redacted whole', () => {
  assert.equal(redactUrls('redis://:p@ss@host:1/0'), 'redis://:***@host:1/0');
});
