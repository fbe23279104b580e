// A synthetic fleet for the benchmark: the example fleet's services copied N times under new
// names, each copy a whole replica of the fleet (its services call each other, its gateways
// serve their own hosts, its team owns it in CODEOWNERS), with the history replayed so that
// every copy has the release history of the service it copies: its chart versions, its
// promotions, its `config` pins (rewritten to the replayed commits). A fleet that renders and
// checks as cleanly as the example does; otherwise the figures would time error paths.
//
//   node scripts/synthetic-fleet.mjs <dir> [applications]   writes <dir>/repo
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Clones `repoRoot` into `repo` and replays its history with about `target` Applications; the working tree's own changes are committed last. */
export function makeFleet(repoRoot, repo, target) {
  git(repoRoot, ['clone', '--quiet', '--no-hardlinks', repoRoot, repo]);
  const originals = readdirSync(join(repoRoot, 'services')).sort();
  const appsPerCopy = originals.reduce((n, s) => n + releaseCount(readFileSync(join(repoRoot, 'services', s, 'service.yaml'), 'utf8')), 0);
  const copies = Math.max(0, Math.round(target / appsPerCopy) - 1);
  const rename = renamer(originals);
  const scratch = mkdtempSync(join(tmpdir(), 'synthetic-fleet-'));
  try {
    const { head, shas } = replay(repo, scratch, copies, rename);
    git(repo, ['reset', '--quiet', '--hard', head]);
    // The working tree's own changes are part of what is measured.
    for (const dir of ['environments', 'argocd', 'platform-charts']) cpSync(join(repoRoot, dir), join(repo, dir), { recursive: true });
    cpSync(join(repoRoot, 'gitops.yaml'), join(repo, 'gitops.yaml'));
    for (const service of originals) {
      for (const file of readdirSync(join(repoRoot, 'services', service))) {
        const text = remapShas(readFileSync(join(repoRoot, 'services', service, file), 'utf8'), shas);
        writeFileSync(join(repo, 'services', service, file), text);
        for (let i = 1; i <= copies; i++) {
          mkdirSync(join(repo, 'services', `${service}-c${i}`), { recursive: true });
          writeFileSync(join(repo, 'services', `${service}-c${i}`, file), rename(text, i));
        }
      }
    }
    writeFileSync(join(repo, '.github/CODEOWNERS'), withCopiesOwned(readFileSync(join(repoRoot, '.github/CODEOWNERS'), 'utf8'), originals, copies));
    git(repo, ['add', '--all']);
    git(repo, ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', 'commit', '--quiet', '--allow-empty', '-m', 'synthetic fleet: working tree']);
    // The fleet is the default branch: its remote-tracking branch (what check compares with) too.
    const branch = git(repo, ['rev-parse', '--abbrev-ref', 'HEAD']).trim();
    git(repo, ['update-ref', `refs/remotes/origin/${branch}`, 'HEAD']);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return { services: originals.length * (copies + 1), apps: appsPerCopy * (copies + 1) };
}

/**
 * Every commit of HEAD again, oldest first, parents mapped, authors and dates kept, with the
 * copies of services/ as they were at that commit; returns the new HEAD. Blobs are read and
 * written in batches, one of each per commit at most. Also returns original → replayed commit.
 */
function replay(repo, scratch, copies, rename) {
  const env = { ...process.env, GIT_INDEX_FILE: join(scratch, 'index') };
  const shas = new Map();
  const written = new Map();
  const commits = git(repo, ['rev-list', '--reverse', '--topo-order', '--parents', 'HEAD']).trim().split('\n').map((l) => l.split(' '));
  let n = 0;
  for (const [sha, ...parents] of commits) {
    const services = git(repo, ['ls-tree', '-r', sha, '--', 'services']).trim().split('\n').filter(Boolean).map((line) => {
      const [meta, path] = line.split('\t');
      const [mode, , blob] = meta.split(' ');
      return { mode, blob, path };
    });
    const wanted = [];
    for (const entry of services) {
      for (let i = 0; i <= copies; i++) {
        const key = `${entry.blob}:${i}`;
        if (!written.has(key)) wanted.push({ entry, i, key });
      }
    }
    if (wanted.length > 0) {
      const texts = catBlobs(repo, [...new Set(wanted.map((w) => w.entry.blob))]);
      const files = wanted.map((w, k) => {
        const text = remapShas(texts.get(w.entry.blob), shas);
        const file = join(scratch, `blob-${n++}-${k}`);
        writeFileSync(file, w.i === 0 ? text : rename(text, w.i));
        return file;
      });
      const ids = git(repo, ['hash-object', '-w', '--stdin-paths'], files.join('\n')).trim().split('\n');
      wanted.forEach((w, k) => written.set(w.key, ids[k]));
      for (const file of files) rmSync(file);
    }
    git(repo, ['read-tree', sha], undefined, env);
    const info = services.flatMap(({ mode, blob, path }) => {
      const [, service, ...rest] = path.split('/');
      return Array.from({ length: copies + 1 }, (_, i) => `${mode} ${written.get(`${blob}:${i}`)}\t${['services', i === 0 ? service : `${service}-c${i}`, ...rest].join('/')}`);
    });
    git(repo, ['update-index', '--index-info'], `${info.join('\n')}\n`, env);
    const tree = git(repo, ['write-tree'], undefined, env).trim();
    const [an, ae, ad, cn, ce, cd, ...message] = git(repo, ['log', '-1', '--format=%an%n%ae%n%ad%n%cn%n%ce%n%cd%n%B', '--date=raw', sha]).split('\n');
    const commitEnv = { ...process.env, GIT_AUTHOR_NAME: an, GIT_AUTHOR_EMAIL: ae, GIT_AUTHOR_DATE: ad, GIT_COMMITTER_NAME: cn, GIT_COMMITTER_EMAIL: ce, GIT_COMMITTER_DATE: cd };
    const mapped = git(repo, ['commit-tree', tree, ...parents.flatMap((p) => ['-p', shas.get(p)])], message.join('\n'), commitEnv).trim();
    shas.set(sha, mapped);
  }
  return { head: shas.get(commits.at(-1)[0]), shas };
}

/** `config` pins name commits: the replayed history's, so that each reads its own tree. */
function remapShas(text, shas) {
  return text.replace(/\b[0-9a-f]{40}\b/g, (sha) => shas.get(sha) ?? sha);
}

/**
 * Copy `i` of a service file: every service of the fleet renamed (so the copies call each
 * other), in-cluster hosts and public hosts too; the team and namespaces kept (a team's
 * namespace may share a service's name).
 */
function renamer(names) {
  const alternation = names.map((n) => n.replace(/[-.]/g, '\\$&')).sort((a, b) => b.length - a.length).join('|');
  const service = new RegExp(`(?<!ns/)\\b(${alternation})\\b(?![.-])`, 'g');
  const dns = new RegExp(`\\b(${alternation})(?=\\.[a-z0-9-]+\\.svc\\b)`, 'g');
  const publicHost = /\b(?<![.\/-])(?!registry\.)([a-z0-9-]+)((?:\.[a-z0-9-]+)*\.example\.com)\b/g;
  return (text, i) =>
    text
      .split('\n')
      .map((line) => (/^\s*(- )?(team|namespace):/.test(line) ? line : line.replace(service, `$1-c${i}`).replace(dns, `$1-c${i}`).replace(publicHost, `$1-c${i}$2`)))
      .join('\n');
}

/** Each copy owned by its original's team, before the closing rules (the last match wins). */
function withCopiesOwned(codeowners, originals, copies) {
  const lines = codeowners.split('\n');
  const owned = new Map(lines.flatMap((l) => {
    const m = /^\/services\/([a-z0-9-]+)\/\s+(.+)$/.exec(l);
    return m ? [[m[1], m[2]]] : [];
  }));
  const extra = originals.filter((s) => owned.has(s)).flatMap((s) => Array.from({ length: copies }, (_, k) => `/services/${s}-c${k + 1}/ ${owned.get(s)}`));
  const last = lines.reduce((at, l, i) => (/^\/services\/[a-z0-9-]+\/\s/.test(l) ? i : at), -1);
  return [...lines.slice(0, last + 1), ...extra, ...lines.slice(last + 1)].join('\n');
}

function releaseCount(serviceYaml) {
  return [...serviceYaml.matchAll(/^ {2}([a-z0-9-]+): \{ chart:/gm)].length;
}

function catBlobs(repo, ids) {
  const r = spawnSync('git', ['cat-file', '--batch'], { cwd: repo, input: `${ids.join('\n')}\n`, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`git cat-file --batch exited ${r.status}: ${r.stderr}`);
  const out = r.stdout;
  const texts = new Map();
  let at = 0;
  for (const id of ids) {
    const nl = out.indexOf(10, at);
    const size = Number(out.subarray(at, nl).toString().split(' ')[2]);
    texts.set(id, out.subarray(nl + 1, nl + 1 + size).toString('utf8'));
    at = nl + 1 + size + 1;
  }
  return texts;
}

function git(cwd, args, input, env = process.env) {
  const r = spawnSync('git', args, { cwd, env, input, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [dir, apps = '1000'] = process.argv.slice(2);
  if (!dir) {
    console.error('usage: node scripts/synthetic-fleet.mjs <dir> [applications]');
    process.exit(2);
  }
  mkdirSync(dir, { recursive: true });
  const repoRoot = join(fileURLToPath(import.meta.url), '..', '..', '..', '..');
  console.log(makeFleet(repoRoot, join(dir, 'repo'), Number(apps)));
}
