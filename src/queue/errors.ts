/**
 * The queue's own error: Redis cannot be reached, refused the password, or holds data this
 * version does not understand. A separate exit code (5) lets scripts tell "the service is down"
 * from a bad option (2) or bad data (3).
 */
import { OverparamError } from '../errors.js';

export class QueueError extends OverparamError {
  override readonly exitCode = 5;
}
