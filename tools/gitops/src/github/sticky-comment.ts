import type { Octokit } from '@octokit/rest';
import { InternalError, UsageError } from '../core/errors.js';
import { toGitHubError, type GitHubOperation } from './errors.js';
import { GITHUB_COMMENT_LIMIT } from './split-markdown.js';

export interface StickyCommentOptions {
  /** Repository owner. */
  owner: string;
  /** Repository name. */
  repo: string;
  /** The pull request (or issue) number. */
  issueNumber: number;
  /** Names this comment among the tool's others on the PR, e.g. `diff`: letters, digits and single `.`, `_`, `-`. */
  marker: string;
  /** The report, already split by splitMarkdown; `[]` removes the comment. */
  parts: readonly string[];
  /** Where the full report is (the workflow run with its artifacts); linked at the end of the last part. */
  artifactUrl?: string;
}

export interface StickyCommentResult {
  /** Ids of comments created, in part order. */
  created: number[];
  /** Ids of comments edited in place, in part order. */
  updated: number[];
  /** Ids of comments that already said the same and were left alone. */
  unchanged: number[];
  /** Ids of comments removed: parts no longer needed and duplicates. */
  deleted: number[];
  /** Link to the first part; absent when the comment was removed. */
  url?: string;
}

interface ExistingComment {
  id: number;
  body: string;
  url: string | undefined;
}

const MARKER_NAME = /^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$/;

/** The hidden first line of part `index` (1-based) of the sticky comment `marker`. */
export function stickyMarker(marker: string, index: number): string {
  return `<!-- gitops:${marker} part:${index} -->`;
}

/**
 * Makes the PR show exactly `parts` as one logical sticky comment, found again on every
 * run by the hidden marker on its first line: existing parts are edited in place (or left
 * alone when unchanged), missing ones created, parts no longer needed deleted; with
 * `parts: []` every part is deleted. Pushes never add a comment per run.
 *
 * Throws GitHubError (exit 2) when GitHub refuses, naming the permission to grant.
 */
export async function syncStickyComment(octokit: Octokit, options: StickyCommentOptions): Promise<StickyCommentResult> {
  const { owner, repo, issueNumber, marker, parts } = options;
  if (!MARKER_NAME.test(marker)) {
    throw new UsageError('USAGE', `A comment marker must be letters, digits and single . _ -, not \`${marker}\`.`);
  }
  const bodies = parts.map((part, index) => {
    let body = `${stickyMarker(marker, index + 1)}\n${part}`;
    if (options.artifactUrl && index === parts.length - 1) {
      body += `\n\n---\n<sub>The full report is attached to [the workflow run](${options.artifactUrl}) as an artifact.</sub>`;
    }
    return body;
  });
  const tooLong = bodies.findIndex((body) => body.length > GITHUB_COMMENT_LIMIT);
  if (tooLong >= 0) {
    throw new InternalError(
      'INTERNAL',
      `Part ${tooLong + 1} of the \`${marker}\` comment is ${bodies[tooLong]!.length} characters; GitHub takes ${GITHUB_COMMENT_LIMIT}.`,
      { hint: 'Split the report with splitMarkdown before posting it.' },
    );
  }

  const ref = `${owner}/${repo}#${issueNumber}`;
  const onPr = (action: string, target = `pull request ${ref}`): GitHubOperation => ({
    action,
    permissions: ['pull-requests: write', 'issues: write'],
    scope: 'repo',
    target,
  });
  const call = async <T>(operation: GitHubOperation, request: () => Promise<T>): Promise<T> => {
    try {
      return await request();
    } catch (error) {
      throw toGitHubError(error, operation);
    }
  };

  const existing = await call(
    { ...onPr(`list the comments of ${ref}`), permissions: ['pull-requests: read', 'issues: read'] },
    () => octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: issueNumber, per_page: 100 }),
  );

  // Which comments are ours: only the marker decides. Checking the author would need the
  // token's own login, and `GET /user` answers 403 to the GitHub App installation tokens
  // (GITHUB_TOKEN included) that post these comments; `user.type === 'Bot'` would not tell
  // one app from another either. The marker is an HTML comment on the first line, which
  // nobody types by accident, and a copy quoted in a reply does not start the body.
  const pattern = new RegExp(`^<!-- gitops:${marker.replace(/\./g, '\\.')} part:(\\d+) -->`);
  const byPart = new Map<number, ExistingComment[]>();
  for (const comment of existing) {
    const body = typeof comment.body === 'string' ? comment.body : '';
    const match = pattern.exec(body);
    if (!match || typeof comment.id !== 'number') continue;
    const index = Number(match[1]);
    const list = byPart.get(index) ?? [];
    list.push({ id: comment.id, body, url: comment.html_url });
    byPart.set(index, list);
  }

  const result: StickyCommentResult = { created: [], updated: [], unchanged: [], deleted: [] };
  const urls: (string | undefined)[] = [];
  for (const [i, body] of bodies.entries()) {
    // The oldest comment of a part is the one kept; later ones (two runs racing) are deleted below.
    const current = byPart.get(i + 1)?.[0];
    if (current && current.body === body) {
      result.unchanged.push(current.id);
      urls.push(current.url);
      continue;
    }
    if (current) {
      const updated = await call(onPr(`update comment ${current.id} on ${ref}`, `comment ${current.id} on ${ref}`), () =>
        octokit.rest.issues.updateComment({ owner, repo, comment_id: current.id, body }).catch((error: unknown) => {
          // Deleted by someone since we listed it: create the part afresh.
          if ((error as { status?: unknown }).status === 404) return undefined;
          throw error;
        }),
      );
      if (updated) {
        result.updated.push(current.id);
        urls.push(updated.data.html_url);
        continue;
      }
    }
    const created = await call(onPr(`comment on ${ref}`), () =>
      octokit.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body }),
    );
    result.created.push(created.data.id);
    urls.push(created.data.html_url);
  }

  const leftovers = [...byPart.entries()]
    .sort(([a], [b]) => a - b)
    .flatMap(([index, comments]) => (index > bodies.length ? comments : comments.slice(1)));
  for (const comment of leftovers) {
    await call(onPr(`delete comment ${comment.id} on ${ref}`, `comment ${comment.id} on ${ref}`), () =>
      octokit.rest.issues.deleteComment({ owner, repo, comment_id: comment.id }).catch((error: unknown) => {
        // Already gone is what we wanted.
        if ((error as { status?: unknown }).status !== 404) throw error;
      }),
    );
    result.deleted.push(comment.id);
  }

  const url = urls[0];
  return url === undefined ? result : { ...result, url };
}
