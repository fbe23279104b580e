import { reachLine } from '../core/release/reach.js';
import type { AppDiff, FleetDiff } from './diff-fleet.js';
import { describeSecretChange } from './secrets.js';

/** Changed, added, removed and failed Applications; unchanged ones are counted, not shown. */
export function visibleApps(diff: FleetDiff): AppDiff[] {
  return diff.applications.filter((a) => a.status !== 'unchanged');
}

export function countApps(apps: readonly AppDiff[]): Record<AppDiff['status'], number> {
  const counts = { changed: 0, added: 0, removed: 0, unchanged: 0, error: 0 };
  for (const app of apps) counts[app.status]++;
  return counts;
}

/** An Application the head no longer generates: Argo CD deletes it and prunes what it deployed. */
export interface PrunedApp {
  name: string;
  env: string;
  service: string;
  resources: { apiVersion: string; kind: string; namespace: string; name: string }[];
}

/**
 * What Argo CD deletes when the head is synced: every Application that disappears (its
 * ApplicationSet emptied or removed, a generator or selector that no longer matches, a
 * release pin removed from an environment), with the resources it deployed.
 */
export function prunedApps(diff: FleetDiff): PrunedApp[] {
  return diff.applications
    .filter((a) => a.status === 'removed')
    .map((a) => ({
      name: a.name,
      env: a.env,
      service: a.service,
      resources: a.resources.filter((r) => r.status === 'removed').map((r) => ({ apiVersion: r.apiVersion, kind: r.kind, namespace: r.namespace, name: r.name })),
    }));
}

/** "Argo CD will prune 2 Applications and their 3 resources:" */
function pruneHeadline(pruned: readonly PrunedApp[]): string {
  const resources = pruned.reduce((n, p) => n + p.resources.length, 0);
  const apps = pruned.length === 1 ? '1 Application' : `${pruned.length} Applications`;
  return `Argo CD will prune ${apps} and ${pruned.length === 1 ? 'its' : 'their'} ${resources} resource${resources === 1 ? '' : 's'}:`;
}

function resourceLabel(r: PrunedApp['resources'][number]): string {
  return `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
}

function sideLabel(side: { ref: string; commit?: string }): string {
  return side.commit && side.ref !== side.commit ? `${side.ref} (${side.commit.slice(0, 12)})` : side.ref;
}

export function textReport(diff: FleetDiff): string {
  let out = diff.reach ? `${reachLine(diff.reach)}\n` : '';
  const pruned = prunedApps(diff);
  if (pruned.length > 0) {
    out += `${pruneHeadline(pruned)}\n`;
    for (const p of pruned) out += `  ${p.env}/${p.service} (${p.name}): ${p.resources.map(resourceLabel).join(', ') || 'no resources'}\n`;
  }
  for (const app of visibleApps(diff)) {
    out += `=== ${app.env}/${app.service} (${app.name}): ${app.status}\n`;
    if (app.status === 'removed') out += `  Argo CD will prune this Application and everything it deployed.\n`;
    for (const e of app.errors) out += e.findings.map((f) => `  ${e.side}: ${f.code} ${f.message}\n`).join('');
    for (const r of app.resources.filter((x) => x.status !== 'unchanged')) {
      out += `--- ${r.kind} ${r.namespace}/${r.name}: ${r.status}\n`;
      for (const s of r.secretChanges ?? []) out += `    ${describeSecretChange(s)}\n`;
      out += r.diff.endsWith('\n') || !r.diff ? r.diff : `${r.diff}\n`;
    }
  }
  return out;
}

/** The diff's fields of a JSON report (the common reporter adds the schema version, tool and findings). */
export function jsonData(diff: FleetDiff): Record<string, unknown> {
  const apps = diff.applications;
  const resources = apps.flatMap((a) => a.resources);
  const count = (status: string) => resources.filter((r) => r.status === status).length;
  return {
    base: diff.base,
    head: diff.head,
    summary: {
      applications: countApps(apps),
      resources: { changed: count('changed'), added: count('added'), removed: count('removed'), unchanged: count('unchanged') },
    },
    prune: prunedApps(diff),
    applications: apps.map((a) => ({
      service: a.service,
      env: a.env,
      name: a.name,
      status: a.status,
      errors: a.errors.flatMap((e) => e.findings.map((f) => ({ side: e.side, code: f.code, message: f.message, location: f.location }))),
      resources: a.resources.map((r) => ({ apiVersion: r.apiVersion, kind: r.kind, namespace: r.namespace, name: r.name, status: r.status, diff: r.diff, secretChanges: r.secretChanges })),
    })),
  };
}

/** For a PR comment: a summary table per environment, then a collapsible section per Application. */
export function markdownReport(diff: FleetDiff): string {
  const visible = visibleApps(diff);
  const lines: string[] = [`### Rendered changes: \`${sideLabel(diff.base)}\` → \`${sideLabel(diff.head)}\``, '', ...(diff.reach ? [reachLine(diff.reach), ''] : [])];
  if (visible.length === 0) {
    lines.push('No Application changes.', '');
    return lines.join('\n');
  }
  const pruned = prunedApps(diff);
  if (pruned.length > 0) {
    lines.push(`> [!WARNING]`, `> **${pruneHeadline(pruned)}**`, '>');
    for (const p of pruned) lines.push(`> - **${p.env}/${p.service}** (${p.name}): ${p.resources.map((r) => `\`${resourceLabel(r)}\``).join(', ') || 'no resources'}`);
    lines.push('');
  }
  const envs = [...new Set(diff.applications.map((a) => a.env))].sort();
  lines.push('| environment | changed | added | removed | failed | unchanged |', '| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const env of envs) {
    const c = countApps(diff.applications.filter((a) => a.env === env));
    lines.push(`| ${env} | ${c.changed} | ${c.added} | ${c.removed} | ${c.error} | ${c.unchanged} |`);
  }
  lines.push('');
  for (const app of visible) {
    const changed = app.resources.filter((r) => r.status !== 'unchanged');
    lines.push(`<details><summary><b>${app.env}/${app.service}</b> (${app.name}): ${app.status}${changed.length ? `, ${changed.length} resource${changed.length === 1 ? '' : 's'}` : ''}</summary>`, '');
    for (const e of app.errors) for (const f of e.findings) lines.push(`- **${e.side}** \`${f.code}\` ${escapeMarkdown(f.message)}`);
    for (const r of changed) {
      lines.push(`**${r.kind}** \`${r.namespace}/${r.name}\`: ${r.status}`, '');
      for (const s of r.secretChanges ?? []) lines.push(`- ${describeSecretChange(s)}`);
      lines.push(fence(r.diff.trimEnd()), '');
    }
    lines.push('</details>', '');
  }
  return lines.join('\n');
}

/** A ```diff block whose fence is longer than any backtick run inside it. */
function fence(body: string): string {
  const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}diff\n${body}\n${ticks}`;
}

function escapeMarkdown(text: string): string {
  return text.replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'));
}
