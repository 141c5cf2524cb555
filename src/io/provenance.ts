/**
 * What made a result, for its JSON and its model file: this package's version, the git commit of
 * the checkout it runs from (with "+dirty" when files differ from it; null outside a checkout), the
 * Node.js version, and the command line when there is one.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Provenance {
  overparam: string;
  git: string | null;
  node: string;
  command: string[] | null;
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let cached: Omit<Provenance, 'command'> | undefined;

function gitCommit(): string | null {
  try {
    const run = (...args: string[]): string => execFileSync('git', ['-C', ROOT, ...args], { encoding: 'utf-8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 3000 }).trim();
    // installed inside another project's checkout (node_modules/overparam), git would answer for that project
    if (realpathSync(run('rev-parse', '--show-toplevel')) !== realpathSync(ROOT)) return null;
    const head = run('rev-parse', 'HEAD');
    if (!/^[0-9a-f]{40}$/.test(head)) return null;
    return run('status', '--porcelain', '--untracked-files=no', '--', '.').length > 0 ? `${head}+dirty` : head;
  } catch {
    return null; // not a git checkout (an installed package), or no git
  }
}

export function provenance(command?: readonly string[]): Provenance {
  if (!cached) {
    let version = 'unknown';
    try {
      version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf-8')) as { version?: string }).version ?? 'unknown';
    } catch {
      // the package file is not beside the code
    }
    cached = { overparam: version, git: gitCommit(), node: process.version };
  }
  return { ...cached, command: command ? [...command] : null };
}
