import { formatLocation, type Finding } from '../core/findings.js';

/** Compiler style: `file:line:col severity CODE message`, then the hint. */
export function formatFinding(f: Finding): string {
  const where = formatLocation(f.location);
  let text = `${where ? `${where} ` : ''}${f.severity} ${f.code} ${f.message}\n`;
  if (f.hint) text += `  hint: ${f.hint}\n`;
  return text;
}
