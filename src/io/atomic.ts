/**
 * Writes that never leave a half-written file or a mixed set of files, and checks that let a
 * command refuse an output path before it spends minutes on the work. Errors are DataErrors
 * naming the path the user gave (never a temporary one).
 */
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DataError } from '../errors.js';

/** A file system error in words, e.g. "the disk is full (ENOSPC)". */
export function ioFailure(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOSPC':
      return 'the disk is full (ENOSPC)';
    case 'EDQUOT':
      return 'the disk quota is exhausted (EDQUOT)';
    case 'EFBIG':
      return 'the file size limit was reached (EFBIG)';
    case 'EROFS':
      return 'the file system is read-only (EROFS)';
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code})`;
    case 'ENOENT':
      return 'no such directory (ENOENT)';
    case 'ENOTDIR':
      return 'a part of the path is not a directory (ENOTDIR)';
    case 'EISDIR':
      return 'it is a directory (EISDIR)';
    default:
      return code ? `${code}: ${(err as Error).message}` : String((err as Error)?.message ?? err);
  }
}

/** Writes `data` to a temporary sibling, then renames it over `path` (atomic on POSIX file systems). */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new DataError(`${path}: cannot write (${ioFailure(err)}); nothing was written there`);
  }
}

/**
 * Writes a set of files into `dir` so that it never holds a mix of old and new ones: all of them
 * go to a temporary directory inside `dir` first, and only once every one is written are they
 * renamed into place (renames need no space, so a full disk stops the set before any old file is
 * replaced). Creates `dir` if needed.
 */
export function writeFilesAtomic(dir: string, files: readonly { name: string; data: string | Uint8Array }[]): void {
  try {
    makeDirs(dir);
  } catch (err) {
    throw new DataError(`${dir}: cannot create the directory (${ioFailure(err)})`);
  }
  let tmp: string;
  try {
    tmp = mkdtempSync(join(dir, '.overparam-'));
  } catch (err) {
    throw new DataError(`${dir}: cannot write into it (${ioFailure(err)}); nothing was replaced`);
  }
  try {
    for (const f of files) {
      try {
        writeFileSync(join(tmp, f.name), f.data);
      } catch (err) {
        throw new DataError(`${join(dir, f.name)}: cannot write (${ioFailure(err)}); none of the ${files.length} files in ${dir} was replaced`);
      }
    }
    // a rename cannot replace a directory: refuse the set while nothing is replaced yet
    for (const f of files) {
      const target = join(dir, f.name);
      if (existsSync(target) && statSync(target).isDirectory()) throw new DataError(`${target}: is a directory; none of the ${files.length} files in ${dir} was replaced`);
    }
    let done = 0;
    for (const f of files) {
      try {
        renameSync(join(tmp, f.name), join(dir, f.name));
      } catch (err) {
        throw new DataError(`${join(dir, f.name)}: cannot replace (${ioFailure(err)}); ${done} of the ${files.length} files in ${dir} were replaced before it`);
      }
      done++;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Refuses, before any work, an output file that cannot be written: a directory, a path whose
 * directory is missing or not writable, or a file that exists and is not writable.
 */
export function checkOutputFile(path: string): void {
  const dir = dirname(resolve(path));
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new DataError(`${path}: cannot be written (${ioFailure(err)})`);
  }
  if (st?.isDirectory()) throw new DataError(`${path}: is a directory; give a file name`);
  checkWritableDir(dir, path);
  if (st) {
    try {
      accessSync(path, constants.W_OK);
    } catch (err) {
      throw new DataError(`${path}: cannot be written (${ioFailure(err)})`);
    }
  }
}

/** The same for an output directory: it exists and is writable, or can be created in a writable parent. */
export function checkOutputDir(path: string): void {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new DataError(`${path}: cannot be written (${ioFailure(err)})`);
  }
  if (st && !st.isDirectory()) throw new DataError(`${path}: exists and is not a directory`);
  if (st) checkWritableDir(resolve(path), path);
  else checkWritableDir(nearestExisting(resolve(path)), path);
}

/**
 * mkdir -p, one level at a time from the nearest existing ancestor. Node 20's
 * mkdirSync(…, { recursive: true }) never returns where mkdir answers ENOENT for a parent that
 * exists (a path under /proc): here that error is thrown.
 */
function makeDirs(dir: string): void {
  const d = resolve(dir);
  if (existsSync(d)) return;
  makeDirs(dirname(d)); // the root exists, so this ends
  try {
    mkdirSync(d);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

/** The nearest ancestor of p that exists (mkdir -p would create the rest under it). */
function nearestExisting(p: string): string {
  let d = dirname(p);
  while (!existsSync(d)) {
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  return d;
}

function checkWritableDir(dir: string, what: string): void {
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new DataError(`${what}: the directory ${dir} does not exist`);
  }
  if (!st.isDirectory()) throw new DataError(`${what}: ${dir} is not a directory`);
  try {
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new DataError(`${what}: the directory ${dir} is not writable (${ioFailure(err)})`);
  }
  // access() answers for the permission bits only (always yes to root): a directory that takes no
  // new entries (/proc, a read-only mount) is found by making one and removing it again
  let probe: string;
  try {
    probe = mkdtempSync(join(dir, '.overparam-probe-'));
  } catch (err) {
    throw new DataError(`${what}: nothing can be created in the directory ${dir} (${ioFailure(err)})`);
  }
  rmdirSync(probe);
}
