/**
 * Checks on what crosses the queue. A run spec from a job is untrusted input (anyone who can
 * write to Redis can enqueue), and a stored result must be the result of the spec it claims:
 * its id is runId(spec), and it is the id (and spec) of the job it answers.
 */
import { DataError, OptionError, OverparamError } from '../errors.js';
import type { RunResult } from '../experiments/run.js';
import { MAX_SPEC_BYTES, canonicalJson, runId, validateRunSpec, type RunSpec } from '../experiments/spec.js';

/** A job's payload as a typed spec whose id is the job id; OptionError otherwise. */
export function specOfJob(jobId: string | undefined, data: unknown): RunSpec {
  const poisoned = data !== null && typeof data === 'object' && typeof (data as Record<string, unknown>)[POISONED] === 'string' ? ((data as Record<string, unknown>)[POISONED] as string) : undefined;
  if (poisoned !== undefined) throw new OptionError(`malformed run spec in job ${jobId ?? '?'}: its data is not JSON (${poisoned})`);
  let spec: RunSpec;
  try {
    spec = validateRunSpec(data);
  } catch (err) {
    // no command line here: name the field of the spec
    const field = err instanceof OverparamError && err.field ? `${err.field}: ` : '';
    throw new OptionError(`malformed run spec in job ${jobId ?? '?'}: ${field}${(err as Error).message}`);
  }
  const id = runId(spec);
  if (jobId !== id) throw new OptionError(`job ${jobId ?? '?'} carries a run spec whose id is ${id}: refused (the job id must be the run id)`);
  return spec;
}

/**
 * The field a job's data is replaced by when it is not JSON at all (queue/worker.ts): BullMQ cannot
 * even hand such a job to a worker, so it would stay "running" for ever; marked, it fails with this
 * reason like any other malformed job.
 */
export const POISONED = '__overparamNotJson';

/** The largest stored result accepted (a full history is ~50 kB; monitors add a little). */
export const MAX_RESULT_BYTES = 4 * 1024 * 1024 + MAX_SPEC_BYTES;

/**
 * Parses a stored result and checks it against the run it belongs to; DataError naming the run
 * when it is not a run result, its id is not runId(result.spec), or (given `expected`) its id
 * or spec differs from the expected run's.
 */
export function verifyResult(json: string, expected?: { id: string; spec?: RunSpec }): RunResult {
  const who = expected ? `run ${expected.id}` : 'a run';
  if (json.length > MAX_RESULT_BYTES) throw new DataError(`stored result for ${who} is too large (${json.length} bytes)`);
  let r: RunResult;
  try {
    r = JSON.parse(json) as RunResult;
  } catch {
    throw new DataError(`stored result for ${who} is not JSON`);
  }
  return checkResult(r, expected);
}

export function checkResult(r: RunResult, expected?: { id: string; spec?: RunSpec }): RunResult {
  const who = expected ? `run ${expected.id}` : 'a run';
  if (r === null || typeof r !== 'object' || r.kind !== 'overparam-run' || typeof r.id !== 'string') throw new DataError(`stored result for ${who} is not an overparam run result`);
  let spec: RunSpec;
  try {
    spec = validateRunSpec(r.spec);
  } catch (err) {
    throw new DataError(`stored result for ${who} has a malformed spec: ${(err as Error).message}`);
  }
  const specText = canonicalJson(spec);
  // validateRunSpec drops nothing that matters, but a spec with extra or retyped fields must not pass
  if (canonicalJson(r.spec) !== specText) throw new DataError(`stored result for ${who} has a spec that does not normalise to itself`);
  const id = runId(spec);
  if (r.id !== id) throw new DataError(`stored result for ${who} claims id ${r.id} but its spec's id is ${id}: rejected`);
  if (expected && expected.id !== id) throw new DataError(`stored result for ${who} is the result of run ${id}: rejected`);
  if (expected?.spec && canonicalJson(expected.spec) !== specText) throw new DataError(`stored result for ${who} has a different spec: rejected`);
  return r;
}
