import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { toolRoot } from '../helpers/run-cli.js';

const dir = join(toolRoot, '..', '..', '.github', 'workflows');

interface Job {
  'timeout-minutes'?: number;
  needs?: string | string[];
  if?: string;
  permissions?: Record<string, string>;
  steps: { uses?: string; with?: Record<string, unknown> }[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: unknown;
  concurrency?: { group: string; 'cancel-in-progress': unknown };
  jobs: Record<string, Job>;
}

const workflows = Object.fromEntries(
  readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => [f, parse(readFileSync(join(dir, f), 'utf8')) as Workflow]),
);

describe('the GitHub workflows', () => {
  it('pin every action by full commit SHA, and give every job a timeout', () => {
    for (const [file, workflow] of Object.entries(workflows)) {
      for (const [name, job] of Object.entries(workflow.jobs)) {
        expect(job['timeout-minutes'], `${file} ${name}`).toBeGreaterThan(0);
        for (const step of job.steps) if (step.uses) expect(step.uses, `${file} ${name}`).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
      }
    }
  });

  it('never run pull_request_target, and give the pull_request run no write permission', () => {
    for (const [file, workflow] of Object.entries(workflows)) expect(Object.keys(workflow.on), file).not.toContain('pull_request_target');
    const checks = workflows['checks.yaml']!;
    expect(Object.keys(checks.on).sort()).toEqual(['merge_group', 'pull_request', 'push']);
    expect(checks.permissions).toEqual({ contents: 'read' });
    for (const job of Object.values(checks.jobs)) expect(job.permissions).toBeUndefined();
  });

  it('cancel superseded pull request runs only, never the default branch or the merge queue', () => {
    expect(workflows['checks.yaml']!.concurrency).toEqual({
      group: expect.stringContaining('github.event.pull_request.number || github.sha'),
      'cancel-in-progress': "${{ github.event_name == 'pull_request' }}",
    });
  });

  it('have one gate that needs every other job and runs whatever they did', () => {
    const { jobs } = workflows['checks.yaml']!;
    const gate = jobs.gate!;
    expect([gate.needs].flat().sort()).toEqual(Object.keys(jobs).filter((j) => j !== 'gate').sort());
    expect(gate.if).toBe('always()');
    expect(jobs.test!.if).toBe("needs.changes.outputs.toolchain == 'true'");
  });

  it('comment and upload SARIF from a workflow_run that checks out only the default branch', () => {
    const report = workflows['pr-report.yaml']!;
    expect(report.on).toEqual({ workflow_run: { workflows: ['checks'], types: ['completed'] } });
    expect(report.permissions).toEqual({});
    const steps = report.jobs.report!.steps;
    const checkout = steps.find((s) => s.uses?.startsWith('actions/checkout@'))!;
    expect(checkout.with).not.toHaveProperty('ref');
    expect(checkout.with).toMatchObject({ 'persist-credentials': false });
  });
});
