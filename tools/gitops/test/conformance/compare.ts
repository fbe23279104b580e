/**
 * Compares what Argo CD generates and renders (the conformance harness's report) with what
 * `gitops render --format json` says, per Application, on three counts: the Application
 * object, the helm argv, and helm's stdout byte for byte.
 */
import { createTwoFilesPatch } from 'diff';

export interface ArgoApplication {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[] } & Record<string, unknown>;
  spec: Record<string, unknown>;
}

export interface ArgoHelmCall {
  args: string[];
  cwd: string;
  exitCode: number;
  stdout: string;
  inlineValues?: string;
}

export interface ArgoReport {
  argocdVersion: string;
  applicationSets: Array<{ name: string; file: string; error?: string; applications: ArgoApplication[] }>;
  renders: Array<{ application: string; error?: string; helm: ArgoHelmCall[]; manifests: Array<Record<string, unknown>> }>;
}

export interface ToolReport {
  applicationSets: Array<{ name: string; file: string; applications: string[]; error?: string }>;
  applications: Array<{
    name: string;
    applicationSet?: string;
    manifest?: Record<string, unknown>;
    command?: string[];
    inlineValues?: string;
    manifests?: string | null;
    error?: string;
  }>;
}

export interface Tally {
  equal: number;
  total: number;
}

export interface Comparison {
  applications: Tally;
  argv: Tally;
  bytes: Tally;
  /** One readable entry per difference, naming the Application. */
  differences: string[];
}

export const matches = (c: Comparison): boolean => c.differences.length === 0;

/** The part of an Application the ApplicationSet controller decides. */
export function projectApplication(app: Record<string, unknown>): unknown {
  const meta = (app.metadata ?? {}) as Record<string, unknown>;
  return prune({
    apiVersion: app.apiVersion,
    kind: app.kind,
    metadata: { name: meta.name, namespace: meta.namespace, labels: meta.labels, annotations: meta.annotations, finalizers: meta.finalizers },
    spec: app.spec,
  });
}

/** Drops null, undefined, empty objects and empty lists, which Go's omitempty leaves out. */
function prune(v: unknown): unknown {
  if (Array.isArray(v)) {
    const items = v.map(prune).filter((x) => x !== undefined);
    return items.length ? items : undefined;
  }
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => [k, prune(x)] as const)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return entries.length ? Object.fromEntries(entries) : undefined;
  }
  return v === null ? undefined : v;
}

const show = (v: unknown) => JSON.stringify(v, null, 2) ?? 'undefined';

function patch(what: string, argo: string, tool: string): string {
  const p = createTwoFilesPatch(`argo-cd ${what}`, `gitops ${what}`, argo, tool, undefined, undefined, { context: 3 });
  const lines = p.split('\n').slice(2);
  return lines.length > 80 ? [...lines.slice(0, 80), `… ${lines.length - 80} more lines`].join('\n') : lines.join('\n');
}

export function compare(argo: ArgoReport, tool: ToolReport): Comparison {
  const c: Comparison = { applications: { equal: 0, total: 0 }, argv: { equal: 0, total: 0 }, bytes: { equal: 0, total: 0 }, differences: [] };
  const toolApps = new Map(tool.applications.map((a) => [a.name, a]));
  const argoApps = argo.applicationSets.flatMap((s) => s.applications.map((a) => ({ set: s.name, app: a })));
  const argoNames = new Set(argoApps.map((a) => a.app.metadata.name));

  for (const set of argo.applicationSets) {
    const t = tool.applicationSets.find((x) => x.name === set.name);
    if (!t) {
      c.differences.push(`ApplicationSet ${set.name} (${set.file}): gitops render does not list it`);
      continue;
    }
    // A set Argo CD could not generate at all is blocked as a whole: the tool must say so.
    if (set.error && set.applications.length === 0 && !t.error) {
      c.differences.push(`ApplicationSet ${set.name}: Argo CD generates nothing ("${set.error}"); gitops render reports no error for the set`);
    }
    if (!set.error && t.error) {
      c.differences.push(`ApplicationSet ${set.name}: gitops render reports "${t.error}"; Argo CD generates it without error`);
    }
  }

  for (const { app } of argoApps) {
    const name = app.metadata.name;
    c.applications.total++;
    const t = toolApps.get(name);
    if (!t?.manifest) {
      c.differences.push(`Application ${name}: Argo CD generates it; gitops render ${t ? 'gives no manifest for it' : 'does not'}`);
      continue;
    }
    const want = show(projectApplication(app as unknown as Record<string, unknown>));
    const got = show(projectApplication(t.manifest));
    if (want === got) c.applications.equal++;
    else c.differences.push(`Application ${name}: the Application objects differ\n${patch('Application', want, got)}`);
  }
  for (const t of tool.applications) {
    if (!argoNames.has(t.name)) {
      c.applications.total++;
      c.differences.push(`Application ${t.name}: gitops render has it; Argo CD does not generate it`);
    }
  }

  for (const r of argo.renders) {
    const t = toolApps.get(r.application);
    // The last helm template: Argo CD retries one that failed for missing dependencies after `helm dependency build`.
    const template = r.helm.filter((h) => h.args[0] === 'template').at(-1);
    c.argv.total++;
    c.bytes.total++;
    if (!t) continue; // counted above
    if (r.error) {
      // Argo CD refuses this Application: the tool must refuse it too.
      if (t.error && (t.manifests === null || t.manifests === undefined)) {
        c.argv.equal++;
        c.bytes.equal++;
      } else {
        c.differences.push(`Application ${r.application}: Argo CD refuses it ("${r.error}"); gitops render ${t.error ? 'reports an error but still gives manifests' : 'renders it'}`);
      }
      continue;
    }
    if (t.error) {
      c.differences.push(`Application ${r.application}: gitops render fails ("${t.error}"); Argo CD renders it`);
      continue;
    }
    if (!template) {
      c.differences.push(`Application ${r.application}: Argo CD ran no helm template (${r.helm.map((h) => h.args[0]).join(', ') || 'no helm at all'})`);
      continue;
    }
    const wantArgv = show({ args: canonicalArgv(template.args), inlineValues: template.inlineValues });
    const gotArgv = show({ args: canonicalArgv(t.command?.[0] === 'helm' ? t.command.slice(1) : t.command), inlineValues: t.inlineValues });
    if (wantArgv === gotArgv) c.argv.equal++;
    else c.differences.push(`Application ${r.application}: the helm argv differs\n${patch('argv', wantArgv, gotArgv)}`);
    if (typeof t.manifests === 'string' && t.manifests === template.stdout) c.bytes.equal++;
    else c.differences.push(`Application ${r.application}: helm's stdout differs\n${patch('manifests', template.stdout, t.manifests ?? '<none>')}`);
  }
  return c;
}

/**
 * Argo CD appends --set, --set-string and --set-file from Go maps (util/helm/cmd.go), so their
 * order differs from run to run; each run of one flag is compared as a set.
 */
export function canonicalArgv(args: string[] | undefined): string[] | undefined {
  if (!args) return args;
  const out: string[] = [];
  for (let i = 0; i < args.length; ) {
    const flag = args[i]!;
    if (flag === '--set' || flag === '--set-string' || flag === '--set-file') {
      const values: string[] = [];
      while (args[i] === flag && i + 1 < args.length) {
        values.push(args[i + 1]!);
        i += 2;
      }
      for (const v of values.sort()) out.push(flag, v);
    } else {
      out.push(flag);
      i++;
    }
  }
  return out;
}

export const tally = (t: Tally) => `${t.equal}/${t.total}`;
