export interface SecretChange {
  /** data.<key> or stringData.<key> */
  key: string;
  change: 'added' | 'removed' | 'changed';
  /** Decoded sizes in bytes, before and after. */
  bytes: [number | undefined, number | undefined];
}

/**
 * Replaces every value of a Secret's data and stringData with a placeholder that says only
 * whether it changed and its size, so a diff names the changed keys and never shows a value.
 */
export function maskSecrets(base: Record<string, unknown> | undefined, head: Record<string, unknown> | undefined): { base?: Record<string, unknown>; head?: Record<string, unknown>; changes: SecretChange[] } {
  const changes: SecretChange[] = [];
  const out: { base?: Record<string, unknown>; head?: Record<string, unknown> } = { base: base && { ...base }, head: head && { ...head } };
  for (const field of ['data', 'stringData'] as const) {
    const a = asMap(base?.[field]);
    const b = asMap(head?.[field]);
    if (!a && !b) continue;
    const maskedA: Record<string, string> = {};
    const maskedB: Record<string, string> = {};
    for (const key of [...new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])].sort()) {
      const va = a?.[key];
      const vb = b?.[key];
      const size = (v: unknown) => (v === undefined ? undefined : field === 'data' ? Buffer.from(String(v), 'base64').length : Buffer.byteLength(String(v)));
      const [sa, sb] = [size(va), size(vb)];
      const change = va === undefined ? 'added' : vb === undefined ? 'removed' : String(va) === String(vb) ? undefined : 'changed';
      if (change) changes.push({ key: `${field}.${key}`, change, bytes: [sa, sb] });
      if (va !== undefined) maskedA[key] = `<${sa} bytes>`;
      if (vb !== undefined) maskedB[key] = change === 'changed' ? `<${sb} bytes, changed>` : `<${sb} bytes>`;
    }
    if (out.base && a) out.base[field] = maskedA;
    if (out.head && b) out.head[field] = maskedB;
  }
  return { ...out, changes };
}

function asMap(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** `data.password: changed (12 → 16 bytes)` */
export function describeSecretChange(c: SecretChange): string {
  if (c.change === 'added') return `${c.key}: added (${c.bytes[1]} bytes)`;
  if (c.change === 'removed') return `${c.key}: removed`;
  return `${c.key}: changed (${c.bytes[0]} → ${c.bytes[1]} bytes)`;
}
