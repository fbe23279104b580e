import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { onTestFinished } from 'vitest';

export interface TestRepo {
  dir: string;
  git(...args: string[]): string;
  /** Writes files (null deletes), without committing. */
  write(files: Record<string, string | null>): void;
  /** Writes files and commits them; returns the commit id. */
  commit(message: string, files?: Record<string, string | null>): string;
  tag(name: string): void;
}

/**
 * A real Git repository in a temp dir, on branch main, removed when the test ends. Signing
 * and background gc are off so git never races the cleanup.
 */
export function createRepo(files: Record<string, string | null> = {}): TestRepo {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'gitops-test-')));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z', GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z' },
    });
  git('init', '--quiet', '--initial-branch=main');
  git('config', 'user.name', 'Test');
  git('config', 'user.email', 'test@example.com');
  git('config', 'commit.gpgSign', 'false');
  git('config', 'tag.gpgSign', 'false');
  git('config', 'gc.auto', '0');
  const write = (changes: Record<string, string | null>) => {
    for (const [path, text] of Object.entries(changes)) {
      const full = join(dir, path);
      if (text === null) rmSync(full, { force: true });
      else {
        mkdirSync(dirname(full), { recursive: true });
        writeFileSync(full, text);
      }
    }
  };
  const repo: TestRepo = {
    dir,
    git,
    write,
    commit(message, changes = {}) {
      write(changes);
      git('add', '--all');
      git('commit', '--quiet', '--allow-empty', '-m', message);
      return git('rev-parse', 'HEAD').trim();
    },
    tag(name) {
      git('tag', name);
    },
  };
  if (Object.keys(files).length > 0) repo.commit('initial', files);
  return repo;
}
