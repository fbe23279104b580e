import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { Git } from './git.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function repo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'git-history-'));
  dirs.push(dir);
  execFileSync('git', ['init', '--quiet'], { cwd: dir });
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '--quiet', '--allow-empty', '-m', 'one'], { cwd: dir });
  return dir;
}

it('holds history fixed only in a full clone without grafts or replace refs', () => {
  expect(new Git(repo()).historyIsFixed()).toBe(true);

  // A shallow clone deepens on fetch: which commits touched a file can change under the same id.
  const shallow = repo();
  writeFileSync(join(shallow, '.git', 'shallow'), '');
  expect(new Git(shallow).historyIsFixed()).toBe(false);

  const grafted = repo();
  mkdirSync(join(grafted, '.git', 'info'), { recursive: true });
  writeFileSync(join(grafted, '.git', 'info', 'grafts'), '');
  expect(new Git(grafted).historyIsFixed()).toBe(false);

  const replaced = repo();
  writeFileSync(join(replaced, '.git', 'packed-refs'), `# pack-refs with: peeled fully-peeled sorted\n${'a'.repeat(40)} refs/replace/${'b'.repeat(40)}\n`);
  expect(new Git(replaced).historyIsFixed()).toBe(false);

  // A linked worktree's .git is a file: not known, so not fixed.
  const worktree = repo();
  rmSync(join(worktree, '.git'), { recursive: true, force: true });
  writeFileSync(join(worktree, '.git'), 'gitdir: /elsewhere\n');
  expect(new Git(worktree).historyIsFixed()).toBe(false);
});
