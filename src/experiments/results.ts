/**
 * Results files: JSON lines, one finished run per line (`RunResult`, kind "overparam-run").
 * Read from Python with  [json.loads(l) for l in open(path) if l.strip()]
 *
 * What the file promises, whatever happens to the process or the disk: every line but possibly
 * the last is a complete result, and the last is either complete or a torn prefix of one.
 * - Each line is appended as soon as its run finishes, written until every byte is out (a short
 *   write is continued); if the write fails (disk full, file size limit, I/O error) the file is
 *   cut back to its length before the append and the error names the file, so a partial line
 *   can never end up in the middle when space frees up later.
 * - A torn last line (a process killed mid-write) is ignored on reading and cut off before the
 *   next append, but only when it is recognisably the start of a result: a file that is not a
 *   results file is never truncated.
 * - One writer at a time: a lock file `PATH.lock` (pid and host) keeps a second sweep off the
 *   same results file; a lock whose process is gone is taken over.
 */
import { closeSync, fstatSync, ftruncateSync, linkSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Normalization } from '../data/normalize.js';
import { DataError } from '../errors.js';
import { ioFailure } from '../io/atomic.js';
import { CRITERION } from '../train/types.js';
import type { RunResult, StoredConventions } from './run.js';

export interface ResultsFile {
  results: RunResult[];
  /** Byte length of the well-formed prefix (everything up to the last complete line). */
  validBytes: number;
  /** True when a torn trailing line was found. */
  torn: boolean;
}

/** How every results line begins (`kind` is the first key RunResult objects are built with). */
export const LINE_START = '{"kind":"overparam-run"';

/** The file system calls the writer uses: node:fs, or a stand-in that fails on purpose (tests). */
export interface ResultsIo {
  openSync: typeof openSync;
  writeSync: (fd: number, buffer: Uint8Array, offset: number, length: number) => number;
  fstatSync: typeof fstatSync;
  ftruncateSync: typeof ftruncateSync;
  closeSync: typeof closeSync;
}

const NODE_IO: ResultsIo = { openSync, writeSync: (fd, b, o, l) => writeSync(fd, b, o, l), fstatSync, ftruncateSync, closeSync };

/** A results path must be a regular file (or not exist yet): never a device, a FIFO or a directory. */
function checkRegular(path: string): boolean {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new DataError(`${path}: cannot read the results file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (!st.isFile()) throw new DataError(`${path}: not a regular file; a results file must be one`);
  return true;
}

/**
 * The last reading of each results file, keyed by its inode, size and modification time: a study
 * probes the same file many times, and re-parsing lines it has just written cost more than the
 * small runs themselves. A file changed by anyone (another sweep, an editor) has another key and is
 * read again. ResultsWriter.close() extends the entry by the lines it appended.
 */
const lastRead = new Map<string, { key: string; file: ResultsFile }>();
const fileKey = (path: string): string => {
  const st = statSync(path);
  return `${st.ino}:${st.size}:${st.mtimeMs}`;
};

/** The results of a file (read-only: the arrays may be shared with the next caller). */
export function readResults(path: string): ResultsFile {
  if (!checkRegular(path)) return { results: [], validBytes: 0, torn: false };
  const key = fileKey(path);
  const hit = lastRead.get(path);
  if (hit && hit.key === key) return hit.file;
  const file = parseResults(path);
  lastRead.set(path, { key, file });
  return file;
}

function parseResults(path: string): ResultsFile {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (err) {
    throw new DataError(`${path}: cannot read results (${(err as Error).message})`);
  }
  const results: RunResult[] = [];
  let start = 0;
  let validBytes = 0;
  let line = 1;
  while (start < buf.length) {
    const nl = buf.indexOf(0x0a, start);
    if (nl < 0) {
      // no newline: torn by a kill mid-write, if it is the start of a result line; else not ours
      const tail = buf.subarray(start).toString('utf-8').trimStart();
      const prefix = tail.slice(0, LINE_START.length);
      if (!LINE_START.startsWith(prefix)) throw new DataError(`${path}: line ${line} is not an overparam run result (not a results file?); it is left as it is`);
      return { results, validBytes, torn: true };
    }
    const text = buf.subarray(start, nl).toString('utf-8').trim();
    if (text.length > 0) {
      let obj: RunResult;
      try {
        obj = JSON.parse(text) as RunResult;
      } catch {
        throw new DataError(`${path}: line ${line} is not JSON (not a results file?)`);
      }
      if (obj?.kind !== 'overparam-run' || typeof obj.id !== 'string') throw new DataError(`${path}: line ${line} is not an overparam run result`);
      if (obj.conventions) {
        // older lines kept the thread count among the conventions: it goes beside timeMs
        const { threads, ...c } = obj.conventions;
        obj.conventions = upgradeConventions(c);
        if (obj.threads === undefined && threads !== undefined) obj.threads = threads;
      }
      results.push(obj);
    }
    start = nl + 1;
    validBytes = start;
    line++;
  }
  return { results, validBytes, torn: false };
}

/**
 * Conventions as this version types them. Results files written before conventions were typed
 * values hold them as text ("ntk (κ = 1/√m)", "unit (each row x ↦ x/‖x‖₂)", "float64"); those lines
 * keep their run ids (the spec is unchanged), so a sweep resumes over them and reports read them.
 */
export function upgradeConventions(c: StoredConventions): StoredConventions {
  const raw = c as unknown as Record<string, unknown>;
  const text = (k: string): string | undefined => (typeof raw[k] === 'string' ? (raw[k] as string) : undefined);
  const scaling = text('scaling');
  const precision = text('precision');
  const norm = text('normalization');
  let normalization: Normalization = c.normalization;
  if (norm !== undefined) {
    const scale = /x\/([-+0-9.eE]+)\)/.exec(norm);
    normalization = norm.startsWith('max') && scale ? { kind: 'max', scale: Number(scale[1]) } : norm.startsWith('unit') ? { kind: 'unit' } : { kind: 'none' };
  }
  return {
    ...c,
    scaling: scaling?.startsWith('none') ? 'none' : scaling?.startsWith('ntk') ? 'ntk' : c.scaling,
    precision: precision === 'float32' ? 'f32' : precision === 'float64' ? 'f64' : c.precision,
    normalization,
    criterion: CRITERION,
  };
}

/** The lock file of a results file, and whether its owner is still alive. */
function takeLock(path: string): string {
  const lock = `${path}.lock`;
  const me = { pid: process.pid, host: hostname() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lock, JSON.stringify(me) + '\n', { flag: 'wx' });
      return lock;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new DataError(`${lock}: cannot create the lock of ${path} (${ioFailure(err)})`);
    }
    let owner: { pid?: number; host?: string } = {};
    let seen = '';
    try {
      seen = readFileSync(lock, 'utf-8');
      owner = JSON.parse(seen) as typeof owner;
    } catch {
      owner = {}; // half-written by a process killed at that moment: stale
    }
    const alive = owner.host === me.host && typeof owner.pid === 'number' && isAlive(owner.pid);
    if (owner.host !== undefined && owner.host !== me.host) {
      throw new DataError(`${path} is locked by a process on ${owner.host} (pid ${owner.pid}): another sweep writes it; use another results file, or delete ${lock} if that sweep is gone`);
    }
    if (alive) throw new DataError(`${path} is being written by another sweep (pid ${owner.pid}): wait for it to finish, or use another results file`);
    removeStale(lock, seen); // its process is gone: take it over
  }
  throw new DataError(`${path}: could not take its lock ${lock}`);
}

/**
 * Removes a stale lock only if it is still the one read (`seen`): two sweeps that find the same stale
 * lock must not both take over, the second deleting the first's fresh lock. The lock is moved aside
 * (a rename is atomic), and put back if it turns out to be another process's new one.
 */
export function removeStale(lock: string, seen: string): void {
  const aside = `${lock}.${process.pid}.stale`;
  try {
    renameSync(lock, aside);
  } catch {
    return; // gone already: someone else removed it; the next attempt sees who holds it now
  }
  let content = '';
  try {
    content = readFileSync(aside, 'utf-8');
  } catch {
    content = '';
  }
  if (content !== seen) {
    try {
      linkSync(aside, lock); // another sweep's fresh lock: back in place, unless a third took the name
    } catch {
      // the name was taken meanwhile: that holder keeps it
    }
  }
  rmSync(aside, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Appends results to a file, one whole line at a time (see the module note); holds the file's lock until closed. */
export class ResultsWriter {
  private fd: number;
  private readonly lock: string;
  private readonly release = (): void => rmSync(this.lock, { force: true });
  constructor(
    readonly path: string,
    private readonly io: ResultsIo = NODE_IO,
  ) {
    this.lock = takeLock(path);
    process.once('exit', this.release);
    // read under the lock: a sweep that appended before we took it keeps every line it wrote
    let valid: ResultsFile;
    try {
      valid = readResults(path); // throws, touching nothing, on a file that is not a results file
    } catch (err) {
      this.unlock();
      throw err;
    }
    const { validBytes, torn } = valid;
    this.base = valid;
    this.bytes = validBytes;
    try {
      this.fd = io.openSync(path, 'a');
      if (torn) io.ftruncateSync(this.fd, validBytes);
    } catch (err) {
      this.unlock();
      throw new DataError(`${path}: cannot open the results file for appending (${ioFailure(err)})`);
    }
  }

  /** What the file held when this writer opened it, the results appended since and its size now. */
  private base: ResultsFile = { results: [], validBytes: 0, torn: false };
  /** The lines appended since (their JSON text: what a reader of the file parses). */
  private readonly added: string[] = [];
  private bytes = 0;

  append(r: RunResult): void {
    const text = JSON.stringify(r);
    const bytes = Buffer.from(text + '\n', 'utf-8');
    const before = this.io.fstatSync(this.fd).size;
    try {
      for (let off = 0; off < bytes.length; ) {
        const k = this.io.writeSync(this.fd, bytes, off, bytes.length - off);
        if (!(k > 0)) throw Object.assign(new Error('the write made no progress'), { code: 'EIO' });
        off += k;
      }
    } catch (err) {
      let state = 'the file keeps its complete lines';
      try {
        this.io.ftruncateSync(this.fd, before);
      } catch {
        state = 'the file could not be cut back: its torn last line is dropped on the next run';
      }
      throw new DataError(`${this.path}: cannot append the result of run ${r.id}: ${ioFailure(err)}; ${state}. Free space and rerun the same command to resume`);
    }
    this.added.push(text);
    this.bytes += bytes.length;
  }

  close(): void {
    try {
      this.io.closeSync(this.fd);
      // the next reading of this file is what it held plus what we wrote, when nothing else changed it
      try {
        if (this.io === NODE_IO && statSync(this.path).size === this.bytes) {
          lastRead.set(this.path, { key: fileKey(this.path), file: { results: [...this.base.results, ...this.added.map((text) => JSON.parse(text) as RunResult)], validBytes: this.bytes, torn: false } });
        }
      } catch {
        lastRead.delete(this.path);
      }
    } finally {
      this.unlock();
    }
  }

  private unlock(): void {
    process.off('exit', this.release);
    this.release();
  }
}

/** The latest result per id (a rerun after an error replaces it). */
export function latestById(results: readonly RunResult[]): Map<string, RunResult> {
  const m = new Map<string, RunResult>();
  for (const r of results) m.set(r.id, r);
  return m;
}

