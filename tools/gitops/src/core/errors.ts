/**
 * Errors that stop a command before it can report findings. Every one exits 2:
 * the tool could not run as asked. Problems in the repository's content are
 * findings (exit 1), never errors.
 */
export type ErrorCode =
  | 'USAGE'
  | 'CONFIG_NOT_FOUND'
  | 'CONFIG_INVALID'
  | 'ENV_UNKNOWN'
  | 'SERVICE_UNKNOWN'
  | 'CODE_UNKNOWN'
  | 'HELM_NOT_FOUND'
  | 'HELM_VERSION_MISMATCH'
  | 'HELM_FAILED'
  | 'HELM_REGISTRY_FAILED'
  | 'GIT_NOT_FOUND'
  | 'GIT_FAILED'
  | 'GIT_REF_UNKNOWN'
  | 'OUTPUT_WRITE_FAILED'
  | 'OUTPUT_DIR_MISSING'
  | 'INTERNAL'
  | 'GITHUB_TOKEN_MISSING'
  | 'GITHUB_CONTEXT_MISSING'
  | 'GITHUB_AUTH'
  | 'GITHUB_FORBIDDEN'
  | 'GITHUB_NOT_FOUND'
  | 'GITHUB_RATE_LIMITED'
  | 'GITHUB_FAILED'
  | 'PATH_NOT_FOUND'
  | 'SCHEMA_DIR_NOT_FOUND'
  | 'SCHEMA_VERSION_NOT_FOUND'
  | 'SCHEMA_INVALID'
  | 'SCHEMA_DOWNLOAD_OFF'
  | 'SCHEMA_DOWNLOAD_FAILED'
  | 'KUBECONFORM_NOT_FOUND'
  | 'KUBECONFORM_FAILED'
  | 'FILE_REFUSED'
  | 'PROMOTION_CHAIN_BROKEN'
  | 'PROMOTE_FILE_CHANGED'
  | 'PROMOTE_EDIT_FAILED';

export interface ToolErrorOptions {
  /** What the user can do about it. */
  hint?: string;
  cause?: unknown;
}

export class ToolError extends Error {
  readonly exitCode = 2;
  readonly hint: string | undefined;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: ToolErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
  }
}

export class UsageError extends ToolError {}
export class ConfigError extends ToolError {}

/** A binary we depend on is missing, failed to start, or answered in a way we cannot read. */
export class ExternalToolError extends ToolError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly details: { cmd?: string; exitCode?: number | null; stderr?: string } & ToolErrorOptions = {},
  ) {
    super(code, message, details);
  }
}

export class InternalError extends ToolError {}
