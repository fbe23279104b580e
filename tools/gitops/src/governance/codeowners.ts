import ignore, { type Ignore } from 'ignore';
import type { Finding, SourceLocation } from '../core/findings.js';

/** Where GitHub looks for the file, in its order: the first that exists is used. */
export const CODEOWNERS_PATHS = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'] as const;

/** One rule of a CODEOWNERS file. */
export interface OwnerRule {
  pattern: string;
  /** `@user`, `@org/team` or an e-mail address; empty: the files have no owner. */
  owners: string[];
  /** 1-based line of the rule. */
  line: number;
  matcher: Ignore;
  /** `dir/*`: files of `dir` itself, not of its subdirectories (where GitHub departs from gitignore). */
  shallow: boolean;
  /**
   * Of an anchored pattern without wildcards (`/services/orders/`): the path, lowercased, that
   * every path it matches is or lies under. Most rules of a large file are such, so a lookup
   * asks the matcher about few of them.
   */
  literal?: string;
}

export interface Codeowners {
  file: string;
  rules: OwnerRule[];
  findings: Finding[];
}

/** The rule that decides a path's owners. */
export interface Ownership {
  owners: string[];
  rule?: OwnerRule;
}

const OWNER = /^(@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\/[A-Za-z0-9._-]+)?|[^@\s]+@[^@\s]+\.[^@\s]+)$/;

/**
 * Reads a CODEOWNERS file as GitHub does: `#` starts a comment (`\#` is a literal), the
 * first field is a gitignore-style pattern, the rest are owners, and the last matching rule
 * wins. A line GitHub would skip (a bad owner, `!` negation, `[ ]` ranges) is a finding at its
 * line and is skipped here too, so the checks judge what GitHub enforces.
 */
export function parseCodeowners(file: string, text: string): Codeowners {
  const rules: OwnerRule[] = [];
  const findings: Finding[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const content = stripComment(raw).trim();
    if (!content) return;
    const [pattern, ...owners] = content.split(/\s+/) as [string, ...string[]];
    const at: SourceLocation = { file, line, column: 1 };
    const invalid = (message: string, hint: string) => findings.push({ code: 'CODEOWNERS_INVALID', severity: 'error', message, hint, location: at });
    if (pattern.startsWith('!') || /(^|[^\\])\[/.test(pattern)) {
      invalid(`"${pattern}": GitHub does not support ${pattern.startsWith('!') ? '! negation' : '[ ] character ranges'} in CODEOWNERS and skips the line`, 'Write the paths out, or list the owners on a more specific pattern after this one (the last match wins).');
      return;
    }
    const bad = owners.filter((o) => !OWNER.test(o));
    if (bad.length > 0) {
      invalid(`"${bad.join('", "')}" is not an owner (@user, @org/team or an e-mail): GitHub skips the whole line`, 'Write each owner as @user, @org/team or name@example.com.');
      return;
    }
    const shallow = /[^*]\/\*$/.test(pattern);
    const literal = /^\/[^*?\\]+$/.test(pattern) ? pattern.slice(1).replace(/\/+$/, '').toLowerCase() : '';
    rules.push({ pattern, owners, line, matcher: ignore().add(pattern), shallow, literal: literal || undefined });
  });
  return { file, rules, findings };
}

function stripComment(line: string): string {
  const at = line.search(/(^|[^\\])#/);
  if (at < 0) return line;
  return line.slice(0, line[at] === '#' ? at : at + 1);
}

/** The owners of a repository path (forward slashes, no leading slash): the last rule that matches. */
export function ownersOf(codeowners: Codeowners, path: string): Ownership {
  // The matcher ignores case, as the prefilter must.
  const lower = path.toLowerCase();
  for (let i = codeowners.rules.length - 1; i >= 0; i--) {
    const rule = codeowners.rules[i]!;
    if (rule.literal !== undefined && lower !== rule.literal && !lower.startsWith(`${rule.literal}/`)) continue;
    if (matches(rule, path)) return { owners: rule.owners, rule };
  }
  return { owners: [] };
}

function matches(rule: OwnerRule, path: string): boolean {
  if (!rule.matcher.ignores(path)) return false;
  if (!rule.shallow) return true;
  // gitignore excludes everything below a matched directory; GitHub's `dir/*` matches only
  // the files directly in `dir`: a path whose parent is itself matched is nested deeper.
  const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
  return parent === '' || !rule.matcher.ignores(parent);
}

/** The team name of an owner: `commerce` of `@acme/commerce` and of `@acme/team-commerce`. */
export function teamOf(owner: string): string | undefined {
  const m = /^@[^/]+\/(.+)$/.exec(owner);
  return m ? m[1]!.toLowerCase().replace(/^team-/, '') : undefined;
}

/** Whether an owner is the given team: `commerce`, `team-commerce` or a full `@org/commerce` handle. */
export function isTeam(owner: string, team: string): boolean {
  if (team.startsWith('@')) return owner.toLowerCase() === team.toLowerCase();
  return teamOf(owner) === team.toLowerCase().replace(/^team-/, '');
}
