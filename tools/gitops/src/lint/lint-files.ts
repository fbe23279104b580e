import { visit, Scalar } from 'yaml';
import type { Finding } from '../core/findings.js';
import { parseYamlDocs, type YamlDoc } from '../core/yaml/parse-yaml.js';
import { MAX_FILE_BYTES } from '../runners/snapshots.js';
import type { Workspace } from '../workspace.js';

/** The YAML a person edits: everything under these trees except chart templates (Go templates, not YAML). */
const LINTED = /^(services|environments|argocd|platform-charts)\/.*\.ya?ml$/;
const TEMPLATE = /^platform-charts\/.*\/templates\//;
/** Files helm reads as values, with YAML 1.1 rules. */
const VALUES_FILE = /^(services\/[^/]+\/values(-[^/]+)?|environments\/[^/]+\/values|platform-charts\/[^/]+\/values)\.ya?ml$/;

/** YAML 1.1 plain scalars that YAML 1.2 reads as strings but helm does not. */
const YAML11_BOOL = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/;
const YAML11_NUMBER = /^[-+]?(0[0-7_]+|0b[01_]+|\d[\d_]*(:[0-5]?\d)+(\.\d*)?)$/;

/** Syntax, duplicate keys, alias bombs, tabs and YAML 1.1 surprises in every YAML file a person edits. */
export async function lintFiles(ws: Workspace): Promise<Finding[]> {
  const paths = ws.model.files.filter((f) => LINTED.test(f) && !TEMPLATE.test(f));
  const texts = await ws.snapshot.readFiles(paths);
  const findings: Finding[] = [];
  for (const file of paths) {
    const text = texts.get(file);
    if (text === undefined) continue;
    if (Buffer.byteLength(text) > MAX_FILE_BYTES) {
      findings.push({ code: 'YAML_SYNTAX', severity: 'error', message: `file is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB`, hint: 'Split it; helm and Argo CD refuse such files too.', location: { file } });
      continue;
    }
    findings.push(...tabs(file, text));
    const parsed = parseYamlDocs(file, text);
    findings.push(...parsed.findings);
    if (VALUES_FILE.test(file)) for (const doc of parsed.docs) findings.push(...yaml11Surprises(doc));
  }
  return findings;
}

/** Tabs in indentation: helm's YAML reader rejects them even where a lenient parser does not. */
function tabs(file: string, text: string): Finding[] {
  const out: Finding[] = [];
  text.split('\n').forEach((line, i) => {
    const indent = /^[ \t]*/.exec(line)![0];
    const at = indent.indexOf('\t');
    if (at >= 0 && line.trim()) {
      out.push({ code: 'YAML_TAB', severity: 'error', message: 'tab in indentation', hint: 'Indent YAML with spaces.', location: { file, line: i + 1, column: at + 1 } });
    }
  });
  return out;
}

function yaml11Surprises(doc: YamlDoc): Finding[] {
  const out: Finding[] = [];
  visit(doc.doc, {
    // Keys too: `on:` becomes the key "true".
    Scalar(_, node) {
      if (node.type !== Scalar.PLAIN || !node.range) return;
      const text = node.source ?? String(node.value);
      const bool = YAML11_BOOL.test(text);
      if (!bool && !YAML11_NUMBER.test(text)) return;
      const pos = doc.lines.linePos(node.range[0]);
      out.push({
        code: 'VALUES_YAML11',
        severity: 'warning',
        message: `${JSON.stringify(text)} is read by helm as ${bool ? 'a boolean' : 'a number'}, not the string it looks like (YAML 1.1)`,
        hint: `Quote it ("${text}") if a string is meant${bool ? ', or write true/false' : ''}.`,
        location: { file: doc.file, line: pos.line, column: pos.col },
      });
    },
  });
  return out;
}
