import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Git } from './git.js';

describe('object reads through one git cat-file --batch', () => {
  let repo: string;
  let big: Buffer;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });

  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), 'git-objects-'));
    git('init', '--quiet');
    writeFileSync(join(repo, 'a.yaml'), 'a: 1\n');
    writeFileSync(join(repo, 'b.yaml'), 'b: 2\n');
    // Larger than a pipe's buffer: its bytes arrive in many chunks.
    big = randomBytes(3 * 1024 * 1024);
    writeFileSync(join(repo, 'big.bin'), big);
    git('add', '.');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '--quiet', '-m', 'one');
    writeFileSync(join(repo, 'a.yaml'), 'a: changed\n');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '--quiet', '-am', 'two');
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it('answers concurrent readers each with their own blobs, across revisions, missing paths and trees', async () => {
    const g = new Git(repo);
    const [first, second, third] = await Promise.all([
      g.readBlobs(['HEAD:a.yaml', 'HEAD~1:a.yaml', 'HEAD:missing.yaml']),
      g.readBlobBuffers(['HEAD:big.bin', 'HEAD:b.yaml']),
      // A tree is not a blob; a path with a newline cannot be asked and must not shift the answers after it.
      g.readBlobs(['HEAD:', 'HEAD:a\n.yaml', 'HEAD:b.yaml']),
    ]);
    expect([...first]).toEqual([['HEAD:a.yaml', 'a: changed\n'], ['HEAD~1:a.yaml', 'a: 1\n'], ['HEAD:missing.yaml', undefined]]);
    expect(second.get('HEAD:big.bin')!.equals(big)).toBe(true);
    expect(second.get('HEAD:b.yaml')!.toString()).toBe('b: 2\n');
    expect(third.get('HEAD:')).toBeUndefined();
    expect(third.get('HEAD:a\n.yaml')).toBeUndefined();
    expect(third.get('HEAD:b.yaml')).toBe('b: 2\n');
    // Later reads reuse the process.
    expect((await g.readBlobs(['HEAD~1:b.yaml'])).get('HEAD~1:b.yaml')).toBe('b: 2\n');
  });

  it('reads a blob named by full commit id from git once per run; a moving ref is read again', async () => {
    const g = new Git(repo);
    const commit = git('rev-parse', 'HEAD').trim();
    const blob = git('rev-parse', 'HEAD:a.yaml').trim();
    const spec = `${commit}:a.yaml`;
    expect((await g.readBlobs([spec, 'HEAD:a.yaml'])).get(spec)).toBe('a: changed\n');
    // Gone from the object store: only the run's earlier read can still answer for it.
    const loose = join(repo, '.git', 'objects', blob.slice(0, 2), blob.slice(2));
    const kept = readFileSync(loose);
    rmSync(loose, { force: true });
    try {
      const again = await g.readBlobs([spec, 'HEAD:a.yaml']);
      expect(again.get(spec)).toBe('a: changed\n');
      expect(again.get('HEAD:a.yaml')).toBeUndefined();
    } finally {
      writeFileSync(loose, kept);
    }
  });

  it('resolves refs and trees through the same process, refs afresh on every call', async () => {
    const g = new Git(repo);
    const head = git('rev-parse', 'HEAD').trim();
    expect(await g.resolveCommit('HEAD')).toBe(head);
    expect(await g.treeId(head, '')).toBe(git('rev-parse', 'HEAD^{tree}').trim());
    expect(await g.tagCommit('mid-run')).toBeUndefined();
    // A tag made while the process runs (a release, a promotion) resolves at once.
    git('tag', 'mid-run', 'HEAD~1');
    try {
      expect(await g.tagCommit('mid-run')).toBe(git('rev-parse', 'HEAD~1').trim());
      expect(await g.resolveCommit('no-such-ref')).toBeUndefined();
      // A tree is not a commit.
      expect(await g.resolveCommit(`${head}^{tree}`)).toBeUndefined();
    } finally {
      git('tag', '-d', 'mid-run');
    }
  });

  it('starts git again for a read after the idle process was ended', async () => {
    const g = new Git(repo);
    expect((await g.readBlobs(['HEAD:a.yaml'])).get('HEAD:a.yaml')).toBe('a: changed\n');
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect((await g.readBlobs(['HEAD~1:a.yaml'])).get('HEAD~1:a.yaml')).toBe('a: 1\n');
  });

  it('fails the waiting reads with what git said when it cannot serve them', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'git-objects-none-'));
    try {
      await expect(new Git(outside).readBlobs(['HEAD:a.yaml'])).rejects.toMatchObject({ code: 'GIT_FAILED', details: { stderr: expect.stringMatching(/not a git repository/i) } });
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('never keeps the process alive once the reads are answered', () => {
    // The module under test, built: a CLI that read blobs must exit by itself.
    const script = `import { Git } from ${JSON.stringify(new URL('../../dist/runners/git.js', import.meta.url).href)};
      const blobs = await new Git(${JSON.stringify(repo)}).readBlobs(['HEAD:b.yaml']);
      process.stdout.write(blobs.get('HEAD:b.yaml'));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('b: 2\n');
    expect(r.status).toBe(0);
  });
});
