import semver from 'semver';
import type { Finding } from '../core/findings.js';
import { locate, parseValuesFile, parseYamlDocs } from '../core/yaml/parse-yaml.js';
import type { ChartSide } from './check-charts.js';
import { breakingSchemaChanges } from './schema-compat.js';

/**
 * A values.schema.json change that can refuse a values file the old schema accepted needs a
 * major version: a service moving its pin within one major must not find its values refused.
 * Each breaking change is a finding at its place in the new schema.
 */
export function schemaFindings(head: ChartSide, base: ChartSide | undefined): Finding[] {
  if (!base || head.schema === base.schema || head.schema === undefined) return [];
  if (!head.version || !base.version || !semver.valid(head.version) || !semver.valid(base.version)) return [];
  if (semver.major(head.version) > semver.major(base.version)) return [];
  const before = json(base.schema ?? '{}');
  const after = json(head.schema);
  // A schema that does not parse is lint's finding (VALUES_SCHEMA_BROKEN).
  if (before === undefined || after === undefined) return [];
  const file = `${head.dir}/values.schema.json`;
  const doc = parseYamlDocs(file, head.schema).docs[0];
  const next = semver.inc(base.version, 'major');
  return breakingSchemaChanges(before, after, defaults(head)).map((change) => ({
    code: 'CHART_SCHEMA_BREAKING' as const,
    severity: 'error' as const,
    message: `${head.name} ${base.version} → ${head.version}: values.schema.json at ${change.pointer}: ${change.message}`,
    hint: `A breaking values change needs a major version: set version ${next} in ${head.dir}/Chart.yaml, or keep the schema accepting what ${base.version} accepted.`,
    location: doc ? locate(doc, change.schemaPath) : { file },
  }));
}

function json(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The chart's own values.yaml, as helm reads it, to know which required keys it sets. */
function defaults(head: ChartSide): unknown {
  return head.values === undefined ? {} : (parseValuesFile(`${head.dir}/values.yaml`, head.values).doc?.data ?? {});
}
