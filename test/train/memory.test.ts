/**
 * The memory estimate (src/train/memory.ts) must be an upper bound of what a run really holds, or
 * the refusal it exists for comes too late: a run whose weights and the native kernels' per-thread
 * scratch dominate (n = 1, d = 10⁶, m = 16, monitor on) is trained in a child process, whose peak
 * resident memory is compared with the estimate for its sizes.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadAddon } from '../../src/backend/native.js';
import { estimateRunMemory } from '../../src/train/memory.js';

const skip = 'addon' in loadAddon() ? false : 'native addon not built';
const src = (rel: string): string => pathToFileURL(fileURLToPath(new URL(`../../src/${rel}`, import.meta.url))).href;

test('the memory estimate bounds the peak of a run dominated by W and the native scratch (n = 1, d = 10⁶, m = 16)', { skip }, () => {
  const [n, d, m] = [1, 1_000_000, 16];
  const code = `
    const { train } = await import(${JSON.stringify(src('train/train.ts'))});
    const { generateSynthetic } = await import(${JSON.stringify(src('data/synthetic.ts'))});
    const { ntkMonitor } = await import(${JSON.stringify(src('theory/train-monitor.ts'))});
    const base = process.resourceUsage().maxRSS;
    const ds = generateSynthetic({ inputs: 'sphere', n: ${n}, d: ${d}, labels: 'normal', seed: 0 });
    const r = train(ds, { model: { activation: 'exp', scaling: 'ntk', init: 'gaussian', m: ${m}, seed: 0 }, eta: 0.5, maxSteps: 3, epsilon: 1e-300, monitors: { ntk: ntkMonitor(1) } });
    console.log(JSON.stringify({ steps: r.steps, base, peak: process.resourceUsage().maxRSS }));`;
  const res = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(res.status, 0, res.stderr);
  const out = JSON.parse(res.stdout.trim().split('\n').pop()!) as { steps: number; base: number; peak: number };
  assert.equal(out.steps, 3);
  const estimate = estimateRunMemory({ n, d, m, monitor: true, reference: false });
  // what the run added to the process (maxRSS is in KiB) against the estimate of that
  const used = (out.peak - out.base) * 1024;
  assert.ok(used <= estimate.bytes, `peak ${(used / 2 ** 20).toFixed(0)} MiB above the estimate ${(estimate.bytes / 2 ** 20).toFixed(0)} MiB`);
  // and the estimate is not vacuous: the run holds at least a third of it
  assert.ok(used >= estimate.bytes / 3, `peak ${(used / 2 ** 20).toFixed(0)} MiB, estimate ${(estimate.bytes / 2 ** 20).toFixed(0)} MiB`);
});
