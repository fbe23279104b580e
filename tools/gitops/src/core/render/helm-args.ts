import type { RenderPlan } from './plan.js';

/**
 * Argo CD's `helm template` argument list (argo-cd util/helm/cmd.go), in its order:
 * name, namespace, kube version, --set, --set-string, --values in order, the inline values
 * file last, --api-versions, --include-crds unless skipCrds, then the skip flags.
 * `valueFiles` are the paths helm should read, in plan order, missing optional ones removed.
 */
export function buildHelmArgs(plan: RenderPlan, files: { valueFiles: string[]; extraValues?: string; revision: string }): string[] {
  const vars = buildEnv(plan, files.revision);
  const args = ['template', '.', '--name-template', plan.releaseName];
  if (plan.namespace) args.push('--namespace', plan.namespace);
  if (plan.kubeVersion) args.push('--kube-version', plan.kubeVersion);
  for (const [k, v] of plan.set) args.push('--set', `${k}=${escapeCommas(envsubst(v, vars))}`);
  for (const [k, v] of plan.setString) args.push('--set-string', `${k}=${escapeCommas(envsubst(v, vars))}`);
  for (const f of files.valueFiles) args.push('--values', f);
  if (files.extraValues) args.push('--values', files.extraValues);
  for (const v of plan.apiVersions) args.push('--api-versions', v);
  if (!plan.skipCrds) args.push('--include-crds');
  if (plan.skipSchemaValidation) args.push('--skip-schema-validation');
  if (plan.skipTests) args.push('--skip-tests');
  return args;
}

/** The repo-server's build environment (newEnv): the plan's variables plus the revision ones. */
export function buildEnv(plan: Pick<RenderPlan, 'envVars'>, revision: string): Record<string, string> {
  return { ...plan.envVars, ARGOCD_APP_REVISION: revision, ARGOCD_APP_REVISION_SHORT: revision.slice(0, 7), ARGOCD_APP_REVISION_SHORT_8: revision.slice(0, 8) };
}

/** Argo CD escapes unescaped commas so a value is not split into several --set entries; `{a,b}` lists are kept. */
export function escapeCommas(value: string): string {
  if (value.startsWith('{') && value.endsWith('}')) return value;
  let out = '';
  let prev = '';
  for (const c of value) {
    out += c === ',' && prev !== '\\' ? '\\,' : c;
    prev = c;
  }
  return out;
}

/** Argo CD's Env.Envsubst (os.Expand): $VAR and ${VAR}; unknown variables become empty; $$ is a literal $. */
export function envsubst(text: string, vars: Record<string, string>): string {
  return text.replace(/\$(\$|\{([^}]*)\}|([A-Za-z0-9_]+))/g, (_m, all: string, braced?: string, bare?: string) => {
    if (all === '$') return '$';
    return vars[braced ?? bare ?? ''] ?? '';
  });
}
