import type { Finding } from '../core/findings.js';
import type { JsonPath, YamlDoc } from '../core/yaml/parse-yaml.js';
import { LEADING_ZERO, YAML11_BOOL } from '../core/yaml/yaml11-scalars.js';

/** What helm makes of a plain scalar with a leading zero (go-yaml v2's resolve, underscores dropped first). */
export interface LeadingZeroNumber {
  text: string;
  /** The number helm renders. */
  value: number;
  /** The number a person reads: the digits without the leading zeros. */
  decimal: number;
  octal: boolean;
}

export function leadingZeroNumber(text: string): LeadingZeroNumber | undefined {
  if (!LEADING_ZERO.test(text)) return undefined;
  const sign = text.startsWith('-') ? -1 : 1;
  // 0o700 is Go's explicit octal: the same reading as 0700.
  const digits = text.replace(/^[-+]/, '').replace(/^0o/, '').replace(/_/g, '');
  const decimal = sign * Number(digits);
  // 007 is octal too, but reads the same: only the text is lost, as with 0800.
  const octal = /^[0-7]+$/.test(digits) && parseInt(digits, 8) !== Number(digits);
  return { text, value: octal ? sign * parseInt(digits, 8) : decimal, decimal, octal };
}

/**
 * The fix for a leading-zero number, by what the chart's schema wants at its path: the digits
 * for a number, the quoted text for a string, both when the schema does not say.
 */
function leadingZeroHint(n: LeadingZeroNumber, types: ReadonlySet<string>): string {
  const numeric = types.has('integer') || types.has('number');
  const text = types.has('string');
  const asNumber = n.octal ? `Write ${n.decimal} if you mean ${n.decimal} (or ${n.value}, the octal value, if that is meant)` : `Write ${n.decimal}`;
  const asString = `quote it ("${n.text}") for the text`;
  if (numeric && !text) return `${asNumber}: the chart's schema wants a number here.`;
  if (text && !numeric) return `Quote it ("${n.text}"): the chart's schema wants a string here.`;
  return `${asNumber}, or ${asString}.`;
}

/**
 * The YAML 1.1 traps of a values file. A leading zero changes the value helm renders (0700
 * becomes 448; 0800 loses its zero and any string meaning), so it is an error; booleans and
 * the other number forms read differently from how they look, a warning. `typesAt` gives the
 * chart schema's types at a values path, for the hint.
 */
export function yaml11Findings(doc: YamlDoc, typesAt: (path: JsonPath) => ReadonlySet<string> = () => new Set()): Finding[] {
  const out: Finding[] = [];
  // Only the booleans and number forms of yaml11Scalars: nothing else needs a finding.
  for (const s of doc.yaml11Scalars) {
    const location = { file: doc.file, line: s.line, column: s.column };
    const zero = s.isKey ? undefined : leadingZeroNumber(s.text);
    if (zero) {
      out.push({
        code: 'VALUES_YAML11_NUMBER',
        severity: 'error',
        message: zero.octal
          ? `${s.text} is read as octal: helm renders ${zero.value}, not ${zero.decimal} (YAML 1.1)`
          : `${s.text} is read as the number ${zero.value}: helm drops the leading zero (YAML 1.1)`,
        hint: leadingZeroHint(zero, typesAt(s.path)),
        location,
      });
      continue;
    }
    const bool = YAML11_BOOL.test(s.text);
    out.push({
      code: 'VALUES_YAML11',
      severity: 'warning',
      message: `${JSON.stringify(s.text)} is read by helm as ${bool ? 'a boolean' : 'a number'}, not the string it looks like (YAML 1.1)`,
      hint: `Quote it ("${s.text}") if a string is meant${bool ? ', or write true/false' : ''}.`,
      location,
    });
  }
  return out;
}
