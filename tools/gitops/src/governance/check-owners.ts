import type { Finding, SourceLocation } from '../core/findings.js';
import type { RepoModel } from '../core/repo/model.js';
import { locate } from '../core/yaml/parse-yaml.js';
import { isTeam, ownersOf, type Codeowners, type Ownership } from './codeowners.js';

/** Which services to judge (`--service`); every one when empty. */
export interface OwnerScope {
  services: readonly string[];
}

/**
 * CODEOWNERS against the repository's own record of who owns what:
 * - each service's values are owned by the team its `service.yaml` names (`@org/<team>` or
 *   `@org/team-<team>`), so its review is required;
 * - `environments/waivers.yaml` (waives rules for any service) and the `service.yaml` of every
 *   service released in a production-like environment (`policyProfile: restricted`: its pins
 *   decide what runs there) can be approved only by the platform owners (those of the charts
 *   directory) or that environment's release owners (those of its `environment.yaml`);
 *   `owners` in gitops.yaml names both instead of inferring them. GitHub
 *   accepts the review of any one owner of a file, so one other owner on the line is enough to
 *   bypass them.
 */
export function checkOwners(model: RepoModel, codeowners: Codeowners, scope: OwnerScope): Finding[] {
  const findings: Finding[] = [...codeowners.findings];
  const chartsDir = model.config.charts?.dir ?? 'platform-charts';
  const configured = model.config.owners;
  const platform = configured?.platform ?? ownersOf(codeowners, `${chartsDir}/Chart.yaml`).owners;
  const services = [...model.services.values()].filter((s) => scope.services.length === 0 || scope.services.includes(s.name));

  for (const svc of services) {
    const values = `${svc.dir}/values.yaml`;
    const owned = ownersOf(codeowners, values);
    if (!owned.owners.some((o) => isTeam(o, svc.team))) {
      findings.push({
        code: 'CODEOWNERS_TEAM_MISMATCH',
        severity: 'error',
        message: `${svc.dir}/ is owned by ${describe(owned)}, but service.yaml names team "${svc.team}"`,
        hint: `Give the directory to the team in ${codeowners.file}: "/${svc.dir}/ @<org>/${svc.team}" (after broader rules: the last match wins), or correct the team in service.yaml.`,
        location: ruleLocation(codeowners, owned) ?? locate(svc.doc, ['team']),
        service: svc.name,
      });
    }
  }

  const waivers = 'environments/waivers.yaml';
  findings.push(...protectedFile(codeowners, waivers, waivers, platform, 'the platform owners', 'it waives policy rules for every service'));
  // What names the owners must be theirs too, or anyone who may approve it may name themselves.
  findings.push(...protectedFile(codeowners, 'gitops.yaml', 'gitops.yaml', platform, 'the platform owners', 'it names who approves production'));
  findings.push(...protectedFile(codeowners, codeowners.file, codeowners.file, platform, 'the platform owners', 'it decides who reviews every change'));

  const restricted = [...model.environments.values()].filter((e) => e.policyProfile === 'restricted');
  for (const svc of services) {
    const envs = restricted.filter((e) => svc.releases[e.name] !== undefined);
    if (envs.length === 0) continue;
    const release = configured?.release ?? envs.flatMap((e) => ownersOf(codeowners, `environments/${e.name}/environment.yaml`).owners);
    const allowed = [...new Set([...platform, ...release])];
    const finding = protectedFile(codeowners, `${svc.dir}/service.yaml`, 'services/*/service.yaml', allowed, `the platform or release owners of ${envs.map((e) => e.name).join(', ')}`, `it pins what runs in ${envs.map((e) => e.name).join(', ')}`);
    findings.push(...finding.map((f) => ({ ...f, service: svc.name })));
  }
  return findings;
}

/** `rulePattern` is what the hint suggests: one rule can cover every service's file. */
function protectedFile(codeowners: Codeowners, path: string, rulePattern: string, allowed: readonly string[], who: string, why: string): Finding[] {
  const owned = ownersOf(codeowners, path);
  const others = owned.owners.filter((o) => !allowed.some((a) => a.toLowerCase() === o.toLowerCase()));
  if (owned.owners.length > 0 && others.length === 0) return [];
  const problem = owned.owners.length === 0 ? 'has no owner' : `can be approved by ${others.join(', ')} alone`;
  return [
    {
      code: 'CODEOWNERS_PROTECTED_FILE',
      severity: 'error',
      message: `${path} ${problem}: ${why}, so only ${who} (${allowed.join(', ') || 'none found'}) may approve it`,
      hint: `Add "/${rulePattern} ${allowed.join(' ') || '@<org>/<platform-team>'}" to ${codeowners.file} after the rules that match it now (the last match wins).`,
      location: ruleLocation(codeowners, owned) ?? { file: codeowners.file, line: 1, column: 1 },
    },
  ];
}

function describe(owned: Ownership): string {
  return owned.owners.length === 0 ? 'nobody' : owned.owners.join(', ');
}

function ruleLocation(codeowners: Codeowners, owned: Ownership): SourceLocation | undefined {
  return owned.rule ? { file: codeowners.file, line: owned.rule.line, column: 1 } : undefined;
}
