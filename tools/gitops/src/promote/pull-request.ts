import { ConfigError } from '../core/errors.js';
import { createGitHubClient, splitMarkdown } from '../github/index.js';
import { upsertPullRequest } from '../github/pull-request.js';
import type { Workspace } from '../workspace.js';
import type { PromotionOutcome } from './promote.js';
import { describeChanges, markdownReport } from './report.js';

/** Branch names GitHub and git accept, kept short: `promote/prod/orders-payments`. */
export function promotionBranch(outcome: Pick<PromotionOutcome, 'target' | 'edits'>): string {
  const services = outcome.edits.map((e) => e.service).sort().join('-');
  return `promote/${outcome.target}/${services.length > 80 ? `${services.slice(0, 80)}-and-more` : services}`;
}

/** The gates a promotion passed, for the pull request's body. */
export function gatesPassed(ws: Workspace, outcome: PromotionOutcome): string[] {
  const target = ws.model.environments.get(outcome.target)!;
  const gates = [`promotion order: ${outcome.source} -> ${outcome.target}`, 'something to promote'];
  if (target.promotion?.soak) gates.push(`soak: every release ran in ${outcome.source} for ${target.promotion.soak} or more`);
  if ((target.promotion?.freeze ?? []).length > 0) gates.push(`no freeze window of ${outcome.target} is open`);
  gates.push(`lint, render, validate and the ${target.policyProfile} policy of ${outcome.target}: no errors`);
  return gates;
}

/**
 * Commits the pin edits on top of HEAD (the working tree is not touched), pushes them to the
 * promotion's branch and opens its pull request, or updates it when the same promotion runs
 * again: the body is the rendered diff of the target and the gates passed.
 */
export async function openPromotionPr(ws: Workspace, outcome: PromotionOutcome, env: NodeJS.ProcessEnv): Promise<string> {
  const repository = env.GITHUB_REPOSITORY;
  const match = repository ? /^([^/\s]+)\/([^/\s]+)$/.exec(repository) : null;
  if (!match) {
    throw new ConfigError('GITHUB_CONTEXT_MISSING', repository ? `GITHUB_REPOSITORY must be owner/name, not ${repository}` : 'No repository to open the pull request in: GITHUB_REPOSITORY is not set.', {
      hint: 'GitHub Actions sets GITHUB_REPOSITORY; elsewhere set it to owner/name.',
    });
  }
  const [, owner, repo] = match as unknown as [string, string, string];
  const octokit = createGitHubClient({ env });
  const head = (await ws.git.resolveCommit('HEAD'))!;
  const branch = promotionBranch(outcome);
  const services = outcome.edits.map((e) => e.service);
  const title = `promote ${services.join(', ')} to ${outcome.target}`;
  const lines = outcome.candidates.filter((c) => outcome.edits.some((e) => e.service === c.service)).map((c) => `${c.service}: ${describeChanges(c)}`);
  const commit = await ws.git.commitFiles(head, new Map(outcome.edits.map((e) => [e.file, e.after])), `${title}\n\n${lines.join('\n')}\n`);
  await ws.git.forcePush(env.GITOPS_GIT_REMOTE || 'origin', commit, branch);
  const body = [markdownReport(outcome, 'write'), '### Gates passed', '', ...gatesPassed(ws, outcome).map((g) => `- ${g}`), ''].join('\n');
  // One pull request body holds one part; the full diff stays in `gitops promote --dry-run`.
  const parts = splitMarkdown(body);
  const result = await upsertPullRequest(octokit, {
    owner,
    repo,
    head: branch,
    base: ws.model.config.defaultBranch,
    title,
    body: parts.length > 1 ? `${parts[0]}\n\n_The diff continues beyond GitHub's size limit: run \`gitops promote ${services.join(' ')} --to ${outcome.target} --dry-run\`._` : body,
    labels: ['promotion', `env:${outcome.target}`],
  });
  return `${result.created ? 'opened' : 'updated'} pull request #${result.number} (${result.url}) from ${branch}`;
}
