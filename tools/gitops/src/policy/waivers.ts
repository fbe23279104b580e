/**
 * Waivers: reviewed, owned, expiring exceptions to policy rules. They live in files only
 * (services/<name>/waivers.yaml, owned by the service's team through CODEOWNERS, and the
 * platform team's environments/waivers.yaml); nothing in values or rendered objects waives a rule.
 */
import { closest } from 'fastest-levenshtein';
import type { Finding, SourceLocation } from '../core/findings.js';
import type { RepoModel } from '../core/repo/model.js';
import { validateOwnFile } from '../core/schema/schema-store.js';
import { locate, parseYamlMapping, type YamlDoc } from '../core/yaml/parse-yaml.js';
import { POLICY_RULE_CODES } from './codes.js';

/** The platform team's waivers, across services. */
export const PLATFORM_WAIVERS_FILE = 'environments/waivers.yaml';
const SERVICE_WAIVERS_FILE = /^services\/([^/]+)\/waivers\.yaml$/;

export interface Waiver {
  rule: string;
  /** A service name, or "*" (platform file only) for every service. */
  service: string;
  environment?: string;
  resource?: { kind?: string; name?: string };
  reason: string;
  owner: string;
  /** YYYY-MM-DD: the first day the waiver no longer applies. */
  expires: string;
  file: string;
  /** The waiver's entry in its file. */
  location: SourceLocation;
  expiresLocation: SourceLocation;
}

interface RawWaiver {
  rule: string;
  service?: string;
  environment?: string;
  resource?: { kind?: string; name?: string };
  reason: string;
  owner: string;
  expires: string;
}

/** Reads every waiver file of the snapshot. Malformed files and entries are findings; only valid waivers are returned. */
export async function loadWaivers(model: RepoModel): Promise<{ waivers: Waiver[]; findings: Finding[] }> {
  const files = model.files.filter((f) => f === PLATFORM_WAIVERS_FILE || SERVICE_WAIVERS_FILE.test(f));
  const texts = await model.snapshot.readFiles(files);
  const waivers: Waiver[] = [];
  const findings: Finding[] = [];
  for (const file of files) {
    const text = texts.get(file);
    if (text === undefined) continue;
    const parsed = parseYamlMapping(file, text);
    findings.push(...parsed.findings);
    if (!parsed.doc) continue;
    const result = readWaiverFile(parsed.doc, model);
    waivers.push(...result.waivers);
    findings.push(...result.findings);
  }
  return { waivers, findings };
}

function readWaiverFile(doc: YamlDoc, model: RepoModel): { waivers: Waiver[]; findings: Finding[] } {
  const file = doc.file;
  const owner = SERVICE_WAIVERS_FILE.exec(file)?.[1];
  const findings: Finding[] = [];
  const invalid = (path: (string | number)[], message: string, hint?: string) =>
    findings.push({ code: 'WAIVER_INVALID', severity: 'error', message, hint, location: locate(doc, path), ...(owner ? { service: owner } : {}) });

  if (owner && !model.files.includes(`services/${owner}/service.yaml`)) {
    invalid([], `${file} waives rules for service "${owner}", which has no services/${owner}/service.yaml`, 'Delete the file, or move its waivers to the service they are for.');
    return { waivers: [], findings };
  }

  const entries = Array.isArray((doc.data as { waivers?: unknown }).waivers) ? ((doc.data as { waivers: unknown[] }).waivers) : [];
  // Unknown rule codes get a message with the code they probably meant instead of ajv's enum error.
  const badRules = new Set<number>();
  entries.forEach((entry, i) => {
    const rule = (entry as { rule?: unknown } | null)?.rule;
    if (typeof rule === 'string' && !(POLICY_RULE_CODES as readonly string[]).includes(rule)) {
      badRules.add(i);
      invalid(['waivers', i, 'rule'], `waivers.${i}.rule: "${rule}" is not a policy rule (did you mean "${closest(rule, [...POLICY_RULE_CODES])}"?)`, 'Waivable codes are the POLICY_* codes of `gitops policy` (tools/gitops/README.md).');
    }
  });
  const schemaFindings = validateOwnFile(doc, 'waivers', 'WAIVER_INVALID').filter((f) => !/^waivers\.(\d+)\.rule: must be equal to one of the allowed values/.test(f.message) || !badRules.has(Number(/^waivers\.(\d+)/.exec(f.message)![1])));
  findings.push(...schemaFindings.map((f) => ({ ...f, hint: f.hint ?? 'See tools/gitops/schemas/waivers.schema.json.', ...(owner ? { service: owner } : {}) })));
  if (schemaFindings.length > 0 || badRules.size > 0) {
    // A file with a malformed entry waives nothing until it is fixed: a half-read file must not decide what passes.
    return { waivers: [], findings };
  }

  const waivers: Waiver[] = [];
  (entries as RawWaiver[]).forEach((w, i) => {
    const at = ['waivers', i];
    const before = findings.length;
    let service = w.service;
    if (owner) {
      if (service !== undefined && service !== owner) {
        invalid([...at, 'service'], `waivers.${i}.service: ${file} may only waive service "${owner}", not "${service}"`, `Move the waiver to services/${service}/waivers.yaml, or to ${PLATFORM_WAIVERS_FILE} if the platform team waives it.`);
      }
      service = owner;
    } else if (service === undefined) {
      invalid(at, `waivers.${i}: "service" is required in ${file} (a service name, or "*" for every service)`);
    } else if (service !== '*' && !model.services.has(service)) {
      invalid([...at, 'service'], `waivers.${i}.service: there is no service "${service}"`, `Known services: ${[...model.services.keys()].sort().join(', ')}.`);
    }
    if (w.environment !== undefined && !model.environments.has(w.environment)) {
      invalid([...at, 'environment'], `waivers.${i}.environment: there is no environment "${w.environment}"`, `Known environments: ${[...model.environments.keys()].sort().join(', ')}.`);
    }
    if (!validDate(w.expires)) invalid([...at, 'expires'], `waivers.${i}.expires: "${w.expires}" is not a date`, 'Write the date as YYYY-MM-DD.');
    if (findings.length > before) return;
    waivers.push({
      rule: w.rule,
      service: service!,
      environment: w.environment,
      resource: w.resource,
      reason: w.reason,
      owner: w.owner,
      expires: w.expires,
      file,
      location: locate(doc, at),
      expiresLocation: locate(doc, [...at, 'expires']),
    });
  });
  return { waivers, findings };
}

function validDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.toISOString().slice(0, 10) === text;
}

/** Does a waiver cover a finding? */
export function waives(w: Waiver, f: Finding): boolean {
  if (f.code !== w.rule) return false;
  if (w.service !== '*' && w.service !== f.service) return false;
  if (w.environment !== undefined && w.environment !== f.env) return false;
  if (w.resource) {
    if (!f.resource) return false;
    if (w.resource.kind !== undefined && w.resource.kind !== f.resource.kind) return false;
    if (w.resource.name !== undefined && w.resource.name !== f.resource.name) return false;
  }
  return true;
}

export function expired(w: Waiver, today: string): boolean {
  return today >= w.expires;
}

/** Does a waiver's scope (service and environment) include an Application "<env>/<service>"? */
export function covers(w: Waiver, env: string, service: string): boolean {
  return (w.service === '*' || w.service === service) && (w.environment === undefined || w.environment === env);
}

export interface WaiverOutcome {
  /** The findings no valid, unexpired waiver covers. */
  findings: Finding[];
  waived: number;
  /** WAIVER_EXPIRED and WAIVER_UNUSED. */
  waiverFindings: Finding[];
}

/**
 * Applies waivers to policy findings. `selected` are the Applications ("<env>/<service>") the
 * run reports on, `evaluated` those whose rules all ran (rendered), `all` every Application of
 * the fleet: a waiver is called unused only when every Application it could cover was evaluated.
 */
export function applyWaivers(findings: readonly Finding[], waivers: readonly Waiver[], today: string, apps: { selected: ReadonlySet<string>; evaluated: ReadonlySet<string>; all: readonly string[] }): WaiverOutcome {
  const active = waivers.filter((w) => !expired(w, today));
  const used = new Set<Waiver>();
  const kept: Finding[] = [];
  let waived = 0;
  for (const f of findings) {
    const by = active.filter((w) => waives(w, f));
    if (by.length === 0) kept.push(f);
    else {
      waived++;
      for (const w of by) used.add(w);
    }
  }

  const waiverFindings: Finding[] = [];
  for (const w of waivers) {
    const scope = apps.all.filter((key) => covers(w, ...splitKey(key)));
    // A waiver for an Application that does not exist concerns every run that reports on its service.
    const inRun = scope.length > 0 ? scope.some((key) => apps.selected.has(key)) : [...apps.selected].some((key) => w.service === '*' || splitKey(key)[1] === w.service);
    const what = `${w.rule} for ${w.service === '*' ? 'every service' : `service ${w.service}`}${w.environment ? ` in ${w.environment}` : ''}`;
    if (expired(w, today)) {
      if (inRun) {
        waiverFindings.push({
          code: 'WAIVER_EXPIRED',
          severity: 'warning',
          message: `waiver of ${what} (owner ${w.owner}) expired on ${w.expires}: the rule applies again`,
          hint: 'Fix what the rule reports and delete the waiver, or, if the exception must go on, renew expires with a reason the owner stands by.',
          location: w.expiresLocation,
          ...(w.service !== '*' ? { service: w.service } : {}),
          ...(w.environment ? { env: w.environment } : {}),
        });
      }
    } else if (!used.has(w) && scope.every((key) => apps.evaluated.has(key)) && inRun) {
      waiverFindings.push({
        code: 'WAIVER_UNUSED',
        severity: 'warning',
        message: `waiver of ${what} matches no finding${scope.length === 0 ? ` (the service does not run ${w.environment ? `in ${w.environment}` : 'anywhere'})` : ''}`,
        hint: 'Delete it: the rule passes (or is off in this profile) without it.',
        location: w.location,
        ...(w.service !== '*' ? { service: w.service } : {}),
        ...(w.environment ? { env: w.environment } : {}),
      });
    }
  }
  return { findings: kept, waived, waiverFindings };
}

export function appKey(env: string, service: string): string {
  return `${env}/${service}`;
}

function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}
