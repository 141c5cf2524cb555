/**
 * Distributed sweeps on a BullMQ job queue in Redis: enqueue a sweep, run workers on any number
 * of machines, follow, inspect and collect the results. Not re-exported from the package root,
 * so that users of the rest of the library do not load the Redis client.
 */
export { connectRedis, type ConnectOptions } from './client.js';
export { DEFAULT_QUEUE_NAME, KEY_PREFIX, describeAddress, parseQueueUrl, redactUrls, scrub, type QueueAddress } from './connection.js';
export { QueueError } from './errors.js';
export { queueKeys, type QueueKeys } from './keys.js';
export { JOB_OPTIONS, openQueue, type SweepQueue } from './queue.js';
export { distinctRuns, enqueueSweep, type EnqueueOutcome } from './enqueue.js';
export { isSettled, sweepStatus, type FailedRun, type SweepStatus } from './status.js';
export { followSweep, type FollowOptions } from './follow.js';
export { collectSweep, type CollectOutcome, type RejectedResult } from './collect.js';
export { QueueWorker, storeResult, type QueueWorkerOptions, type WorkerEvent } from './worker.js';
export { checkResult, specOfJob, verifyResult } from './verify.js';
