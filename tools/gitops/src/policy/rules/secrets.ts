import { escapeSegment as esc } from '../../core/json-pointer.js';
import { arr, rec } from '../model.js';
import type { Rule, Violation } from '../rule.js';
import { on, onContainer, plural } from './common.js';

/** Names whose last word is one of these hold a secret: DB_PASSWORD, stripeApiToken, CLIENT_SECRET. */
const SECRET_WORDS = new Set(['PASSWORD', 'PASSWD', 'PWD', 'PASSPHRASE', 'SECRET', 'TOKEN', 'CREDENTIAL', 'CREDENTIALS', 'APIKEY']);
/** …or whose last two words are one of these: API_KEY, PRIVATE_KEY. */
const SECRET_PAIRS = new Set(['API KEY', 'PRIVATE KEY', 'ACCESS KEY', 'SECRET KEY', 'SIGNING KEY', 'ENCRYPTION KEY', 'MASTER KEY', 'CLIENT KEY', 'AUTH KEY']);

function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toUpperCase());
}

/**
 * Does a name say its value is a secret? Only the end of the name counts, so that
 * TOKEN_URL, PASSWORD_MIN_LENGTH and SECRET_NAME (which hold no secret) pass.
 */
export function secretName(name: string): boolean {
  if (name === 'PWD') return false; // the shell's working directory
  const w = words(name);
  const last = w[w.length - 1];
  if (last === undefined) return false;
  return SECRET_WORDS.has(last) || (w.length >= 2 && SECRET_PAIRS.has(`${w[w.length - 2]} ${last}`));
}

/** A value that is not itself a secret: empty, a reference to another variable, a placeholder, or a file path. */
function notASecret(value: string): boolean {
  const v = value.trim().replace(/^(["'])(.*)\1$/, '$2');
  return v === '' || /^\$\([A-Za-z_][A-Za-z0-9_]*\)$/.test(v) || /^\$\{[^}]+\}$/.test(v) || /^\{\{.*\}\}$/.test(v) || /^<[^>]+>$/.test(v) || /^\/[\w./-]*$/.test(v);
}

/** A URL with a password in it (postgres://app:hunter2@db): a secret whatever the name. */
function urlWithPassword(value: string): boolean {
  const m = /[a-z][a-z0-9+.-]*:\/\/[^\s:@/]+:([^\s@/]+)@/i.exec(value);
  return m !== null && !notASecret(m[1]!);
}

/** Keys of a file-like ConfigMap value (YAML, properties, .env, JSON lines) that hold a literal secret. */
function secretLines(text: string): string[] {
  const found: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(?:export\s+)?["']?([A-Za-z0-9_.-]+)["']?\s*[:=]\s*(.*?),?\s*$/.exec(line);
    if (m && secretName(m[1]!) && !notASecret(m[2]!.replace(/\s+#.*$/, ''))) found.push(m[1]!);
  }
  return found;
}

export const secretRules: Rule[] = [
  {
    code: 'POLICY_PLAINTEXT_SECRET',
    title: 'No secret values in Git: none in plain env values, ConfigMaps or rendered Secrets (names like PASSWORD, TOKEN, SECRET, API_KEY, PRIVATE_KEY; URLs with a password).',
    hint: 'Keep the value in the secret store and reference it (env valueFrom.secretKeyRef, values secretEnv / envFrom.secret); rotate it, since it is in Git history now.',
    severity: { baseline: 'error', restricted: 'error' },
    check(app) {
      const out: Violation[] = [];
      for (const w of app.workloads) {
        for (const c of w.containers) {
          arr(c.spec.env).forEach((e, i) => {
            const { name, value } = rec(e);
            if (typeof value !== 'string' || typeof name !== 'string') return;
            if (secretName(name) && !notASecret(value)) out.push(onContainer(w, c, `/env/${i}/value`, `sets ${name} to a literal value in env`));
            else if (urlWithPassword(value)) out.push(onContainer(w, c, `/env/${i}/value`, `sets ${name} to a URL with a password in it`));
          });
        }
      }
      for (const cm of app.manifests.filter((m) => m.kind === 'ConfigMap' && m.apiVersion === 'v1')) {
        for (const [key, value] of Object.entries(rec(cm.object.data))) {
          if (typeof value !== 'string') continue;
          const pointer = `/data/${esc(key)}`;
          if (secretName(key) && !value.includes('\n') && !notASecret(value)) out.push(on(cm, pointer, `key ${key} holds a literal secret`));
          else if (urlWithPassword(value)) out.push(on(cm, pointer, `key ${key} holds a URL with a password in it`));
          else {
            const keys = secretLines(value);
            if (keys.length > 0) out.push(on(cm, pointer, `file ${key} sets ${keys.join(', ')} to a literal value`));
          }
        }
      }
      for (const secret of app.manifests.filter((m) => m.kind === 'Secret' && m.apiVersion === 'v1')) {
        for (const field of ['data', 'stringData']) {
          const keys = Object.keys(rec(secret.object[field]));
          if (keys.length > 0) out.push(on(secret, `/${field}`, `carries ${plural(keys.length, 'value')} (${keys.join(', ')}) in Git`));
        }
      }
      return out;
    },
  },
];
