import type { RegExpEngine } from 'ajv/dist/types/index.js';
import { RE2JS } from 're2js';

/**
 * `pattern` as Go's regexp reads it (RE2 syntax: `(?i)`, no backreferences), which is what
 * the Kubernetes API server and kubeconform use: JavaScript's RegExp rejects some CRD patterns
 * and reads others differently.
 */
export const goRegExp: RegExpEngine = Object.assign(
  (pattern: string) => {
    const re = RE2JS.compile(pattern);
    // ajv caches compiled patterns by their string form.
    return { test: (s: string) => re.test(s), toString: () => `re2:${pattern}` };
  },
  { code: 'goRegExp' },
);
