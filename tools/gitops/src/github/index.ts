export { createGitHubClient, resolveGitHubToken, DEFAULT_GITHUB_API_URL, GITHUB_API_VERSION } from './client.js';
export type { GitHubClient, GitHubClientOptions } from './client.js';
export { resolvePullRequest, workflowRunUrl } from './context.js';
export type { PullRequestRef, ResolvePullRequestOptions } from './context.js';
export { GitHubError, toGitHubError } from './errors.js';
export type { GitHubOperation } from './errors.js';
export { splitMarkdown, GITHUB_COMMENT_LIMIT, STICKY_COMMENT_RESERVE, DEFAULT_PART_LIMIT } from './split-markdown.js';
export { syncStickyComment, stickyMarker } from './sticky-comment.js';
export type { StickyCommentOptions, StickyCommentResult } from './sticky-comment.js';
