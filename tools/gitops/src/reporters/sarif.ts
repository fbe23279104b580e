import { createHash } from 'node:crypto';
import type { Log, ReportingDescriptor, Result } from 'sarif';
import type { Finding } from '../core/findings.js';
import { toolVersion, type Report } from './report.js';
import { ruleDoc } from './rule-docs.js';

/**
 * SARIF 2.1.0 for GitHub code scanning: repository-relative URIs, lines >= 1, the finding code
 * as a stable rule id, and a fingerprint that survives unrelated edits to the file.
 */
export function sarifReport(report: Report): string {
  const rules = new Map<string, ReportingDescriptor>();
  const results: Result[] = report.findings.map((f) => {
    if (!rules.has(f.code)) rules.set(f.code, ruleDescriptor(f));
    const file = anchorFile(f);
    return {
      ruleId: f.code,
      level: f.severity === 'error' ? 'error' : 'warning',
      message: { text: [f.message, f.hint ? `Hint: ${f.hint}` : ''].filter(Boolean).join('\n') },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: file, uriBaseId: '%SRCROOT%' },
            region: { startLine: Math.max(1, f.location?.line ?? 1), startColumn: Math.max(1, f.location?.column ?? 1) },
          },
        },
      ],
      partialFingerprints: { 'gitopsFinding/v1': fingerprint(f, file) },
      properties: { application: f.application, env: f.env, service: f.service, resource: f.resource },
    };
  });
  const log: Log = {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [
      {
        tool: { driver: { name: 'gitops', version: toolVersion, semanticVersion: toolVersion, rules: [...rules.values()].sort((a, b) => a.id.localeCompare(b.id)) } },
        automationDetails: { id: `gitops/${report.command}/` },
        originalUriBaseIds: { '%SRCROOT%': { uri: '' } },
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

/** Code scanning needs a file in the repository: the finding's, else the service's, else the config. */
function anchorFile(f: Finding): string {
  if (f.location?.file && !f.location.file.startsWith('/')) return f.location.file;
  if (f.service) return `services/${f.service}/service.yaml`;
  return 'gitops.yaml';
}

function fingerprint(f: Finding, file: string): string {
  // No line numbers: the fingerprint must survive edits elsewhere in the file.
  return createHash('sha256').update([f.code, file, f.application ?? '', f.resource?.kind ?? '', f.resource?.name ?? '', f.resource?.pointer ?? '', f.message].join('\0')).digest('hex').slice(0, 32);
}

/**
 * A rule as code scanning lists it: the README's description and anchor, and for security
 * rules a `security-severity` with the `security` tag, which GitHub needs to rank the alert.
 */
function ruleDescriptor(f: Finding): ReportingDescriptor {
  const doc = ruleDoc(f.code);
  const security = doc.securitySeverity !== undefined;
  return {
    id: f.code,
    name: ruleName(f.code),
    shortDescription: { text: f.code.toLowerCase().replace(/_/g, ' ') },
    fullDescription: { text: doc.description },
    helpUri: doc.helpUri,
    help: { text: `${doc.description}\n${doc.helpUri}`, markdown: `${doc.description}\n\n[${f.code}](${doc.helpUri})` },
    defaultConfiguration: { level: f.severity === 'error' ? 'error' : 'warning' },
    properties: security ? { tags: ['security'], 'security-severity': doc.securitySeverity } : { tags: ['reliability'] },
  };
}

function ruleName(code: string): string {
  return code.toLowerCase().replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase()).replace(/^./, (c) => c.toUpperCase());
}
