import type { Finding } from '../findings.js';
import { validateOwnFile } from '../schema/schema-store.js';
import { locate, parseYamlDocs, type YamlDoc } from '../yaml/parse-yaml.js';

const PRUNE_HINT = 'Argo CD deletes an ApplicationSet that leaves the repository, and with it (prune) every Application it generated and their resources.';

/**
 * The ApplicationSets of one file of argocd/applicationsets/, checked before expansion:
 * exactly one document, an ApplicationSet, valid against schemas/applicationset.schema.json
 * (the part of Argo CD's CRD the expansion supports). What fails is reported at its line and
 * never expanded, so expansion only sees the shapes it was written for.
 */
export function validateAppSetFile(file: string, text: string): { appSets: YamlDoc[]; findings: Finding[] } {
  const parsed = parseYamlDocs(file, text);
  if (parsed.findings.length > 0) {
    return { appSets: [], findings: parsed.findings.map((f) => ({ ...f, hint: f.hint ? `${f.hint} ${PRUNE_HINT}` : PRUNE_HINT })) };
  }
  const docs = parsed.docs.filter((d) => d.contentsStart !== undefined);
  if (docs.length === 0) {
    return {
      appSets: [],
      findings: [
        {
          code: 'APPSET_EMPTY',
          severity: 'error',
          message: 'holds no ApplicationSet: Argo CD would prune every Application it generated',
          hint: 'Restore the ApplicationSet. To retire an environment on purpose, delete the file in a pull request of its own (gitops diff lists what would be pruned).',
          location: { file, line: 1, column: 1 },
        },
      ],
    };
  }
  const findings: Finding[] = [];
  if (docs.length > 1) {
    findings.push(
      ...docs.slice(1).map((d) => ({
        code: 'YAML_MULTIPLE_DOCUMENTS' as const,
        severity: 'error' as const,
        message: 'a second YAML document: keep one ApplicationSet per file',
        hint: 'Move it to a file of its own under argocd/applicationsets/.',
        location: { file, ...lineOf(d) },
      })),
    );
  }
  const appSets: YamlDoc[] = [];
  const first = docs[0]!;
  const data = first.data as { kind?: unknown } | null;
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    findings.push({ code: 'YAML_NOT_A_MAPPING', severity: 'error', message: 'expected an ApplicationSet (a YAML mapping)', location: { file, ...lineOf(first) } });
  } else if (data.kind !== 'ApplicationSet') {
    findings.push({
      code: 'APPSET_SCHEMA',
      severity: 'error',
      message: `kind ${JSON.stringify(data.kind ?? null)}: only ApplicationSets belong in argocd/applicationsets/`,
      hint: 'AppProjects go to argocd/projects/; other objects are not synced from here.',
      location: locate(first, ['kind']),
    });
  } else {
    const problems = validateOwnFile(first, 'applicationset', 'APPSET_SCHEMA');
    findings.push(...problems.map((p) => ({ ...p, hint: p.hint ?? 'See tools/gitops/schemas/applicationset.schema.json (Argo CD\'s ApplicationSet CRD, as far as gitops expands it).' })));
    if (problems.length === 0) appSets.push(first);
  }
  return { appSets, findings };
}

function lineOf(doc: YamlDoc): { line: number; column: number } {
  const pos = doc.lines.linePos(doc.contentsStart ?? doc.start);
  return { line: pos.line, column: pos.col };
}
