import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResourceResult } from '../cli/types.js';
import type { Finding } from '../core/findings.js';
import { toolRoot } from '../paths.js';

/** What every machine-readable reporter receives. */
export interface Report {
  command: string;
  findings: Finding[];
  /** Per-resource verdicts, for commands that check Kubernetes objects. */
  resources?: ResourceResult[];
  /** Command-specific fields of the JSON report. */
  data?: Record<string, unknown>;
  /** The command's Markdown report, when it has one. */
  markdown?: string;
}

const toolPackage = JSON.parse(readFileSync(join(toolRoot, 'package.json'), 'utf8')) as { version: string; homepage: string };

export const toolVersion: string = toolPackage.version;

/** The tool's documentation page (its README), where each finding code has an anchor. */
export const toolHomepage: string = toolPackage.homepage;
