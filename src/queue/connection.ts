/**
 * Queue addresses: `redis://[[user]:password@]HOST[:PORT][/DB]` (or `rediss://` for TLS), parsed
 * into connection options, and the redaction that keeps the password out of every message.
 *
 * The password never travels further as a URL: ioredis gets host, port and password as separate
 * options, so none of its errors can echo it; `scrub` is the safety net for any text we print.
 */
import type { RedisOptions } from 'bullmq';
import { OptionError } from '../errors.js';

export interface QueueAddress {
  tls: boolean;
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  /** The queue's name: Redis keys are `overparam:<name>:…`. */
  name: string;
}

/** Prefix of every key this project writes (BullMQ's own keys included). */
export const KEY_PREFIX = 'overparam';
export const DEFAULT_QUEUE_NAME = 'sweep';
const NAME_RE = /^[A-Za-z0-9_.-]{1,100}$/;

/** Replaces the password in the userinfo of any URL in a text by `***` (keeping a user name). */
export function redactUrls(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)([^/\s]*)@/gi, (_all, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    const user = colon < 0 ? '' : userinfo.slice(0, colon);
    return `${scheme}${user}:***@`;
  });
}

/** The address as it may be shown: the password replaced by ***. */
export function describeAddress(a: QueueAddress): string {
  const auth = a.password !== undefined ? `${a.username ?? ''}:***@` : a.username ? `${a.username}@` : '';
  const host = a.host.includes(':') ? `[${a.host}]` : a.host;
  return `${a.tls ? 'rediss' : 'redis'}://${auth}${host}:${a.port}/${a.db} queue '${a.name}'`;
}

/**
 * Removes the password (raw and percent-encoded) and any URL userinfo from a text. Every message
 * the CLI prints about a queue goes through this.
 */
export function scrub(text: string, a?: Pick<QueueAddress, 'password'>): string {
  let out = redactUrls(text);
  const pw = a?.password;
  if (pw) {
    for (const form of new Set([pw, encodeURIComponent(pw)])) out = out.split(form).join('***');
  }
  return out;
}

export interface ParseOptions {
  /** Queue name (default 'sweep'). */
  name?: string;
  /** A password from elsewhere (OVERPARAM_REDIS_PASSWORD), used when the URL has none. */
  password?: string;
}

export function parseQueueUrl(url: string, opts: ParseOptions = {}): QueueAddress {
  const shown = redactUrls(url);
  const bad = (why: string): never => {
    throw new OptionError(`'${shown}': ${why} (expected redis://[:password@]HOST:PORT[/DB])`, { field: 'queue' });
  };
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // unparsed, the password cannot be told from the rest: echo nothing
    throw new OptionError('not a URL (expected redis://[:password@]HOST:PORT[/DB])', { field: 'queue' });
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') bad(`unsupported scheme '${u.protocol.replace(/:$/, '')}'`);
  if (!u.hostname) bad('no host');
  if (u.search || u.hash) bad('query strings and fragments are not supported');
  const port = u.port === '' ? 6379 : Number(u.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) bad(`bad port '${u.port}'`);
  const path = u.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d{1,5}$/.test(path)) bad(`the path must be a database number, got '/${path}'`);
  const db = path === '' ? 0 : Number(path);
  const decode = (s: string): string => {
    try {
      return decodeURIComponent(s);
    } catch {
      return bad('badly percent-encoded user or password');
    }
  };
  const name = opts.name ?? DEFAULT_QUEUE_NAME;
  if (!NAME_RE.test(name)) throw new OptionError(`queue name '${name}': use 1–100 letters, digits, '.', '_' or '-'`);
  const a: QueueAddress = { tls: u.protocol === 'rediss:', host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port, db, name };
  if (u.username) a.username = decode(u.username);
  if (u.password) a.password = decode(u.password);
  else if (opts.password) a.password = opts.password;
  return a;
}

/**
 * Connection options (ioredis's, in BullMQ's typing) for a long-lived client: commands wait through a Redis restart instead of
 * failing (maxRetriesPerRequest null, which BullMQ also requires), and reconnection never stops.
 */
export function redisOptions(a: QueueAddress): RedisOptions {
  return {
    host: a.host,
    port: a.port,
    db: a.db,
    ...(a.username !== undefined ? { username: a.username } : {}),
    ...(a.password !== undefined ? { password: a.password } : {}),
    ...(a.tls ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    // back off to at most 1 s between attempts; never give up (a restarting Redis comes back)
    retryStrategy: (times: number) => Math.min(100 * times, 1000),
  };
}
