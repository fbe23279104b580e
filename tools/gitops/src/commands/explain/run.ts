import { closest } from 'fastest-levenshtein';
import type { CommandHandler } from '../../cli/types.js';
import { UsageError } from '../../core/errors.js';
import type { FindingCode } from '../../core/findings.js';
import { ruleByCode } from '../../policy/registry.js';
import { examples, fixes } from '../../reporters/code-fixes.js';
import { ruleDoc } from '../../reporters/rule-docs.js';
import type { ExplainOptions } from './command.js';

interface Explanation {
  code: string;
  /** What it means. */
  meaning: string;
  /** Why it matters: its severity and, for policy rules, per profile and whether it can be waived. */
  severity: string;
  fix: string;
  example?: string;
  docs: string;
}

/** `gitops explain CODE`: the meaning, severity, fix and an example of a finding code. */
export const runExplain: CommandHandler<ExplainOptions> = async (_ctx, options) => {
  const known = [...new Set([...Object.keys(fixes), ...ruleByCode.keys()])].sort();
  if (options.list) {
    const width = Math.max(...known.map((c) => c.length));
    return { findings: [], stdout: options.json ? `${JSON.stringify(known.map(explain), null, 2)}\n` : known.map((c) => `${c.padEnd(width)}  ${ruleDoc(c as FindingCode).description}\n`).join('') };
  }
  if (options.codes.length === 0) throw new UsageError('USAGE', 'name a finding code, e.g. gitops explain POLICY_MTLS_NOT_STRICT', { hint: '`gitops explain --list` prints every code.' });
  const explained = options.codes.map((raw) => {
    const code = raw.toUpperCase().replace(/-/g, '_');
    if (!known.includes(code)) throw new UsageError('CODE_UNKNOWN', `${raw}: no such finding code`, { hint: `Did you mean ${closest(code, known)}? \`gitops explain --list\` prints every code.` });
    return explain(code);
  });
  return { findings: [], stdout: options.json ? `${JSON.stringify(explained.length === 1 ? explained[0] : explained, null, 2)}\n` : explained.map(text).join('\n') };
};

function explain(code: string): Explanation {
  const doc = ruleDoc(code as FindingCode);
  const rule = ruleByCode.get(code);
  const severity = rule
    ? `${(['baseline', 'restricted'] as const).map((p) => `${rule.severity[p]} in the ${p} profile`).join(', ')}${rule.mesh ? ', in mesh environments only' : ''}${rule.reads ? `; it reads ${rule.reads === 'environment' ? 'what the other Applications of the environment render' : 'the AppProjects'}, so it is not applied to a chart rendered with its CI values` : ''}; a waiver (services/<name>/waivers.yaml, or environments/waivers.yaml for the platform) can accept it until its expiry, with an owner`
    : 'as the finding says (error fails the run; warning fails it only with --fail-on warning)';
  const fix = rule?.hint ?? fixes[code as keyof typeof fixes];
  return { code, meaning: doc.description, severity, fix, example: examples[code as FindingCode], docs: doc.helpUri };
}

function text(e: Explanation): string {
  return [`${e.code}`, `  ${e.meaning}`, '', `  Severity: ${e.severity}.`, `  Fix: ${e.fix}`, ...(e.example ? ['', '  Example:', `    ${e.example}`] : []), '', `  More: ${e.docs}`, ''].join('\n');
}
