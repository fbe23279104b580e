/**
 * ApplicationSet post-selectors (`generators[].selector`): Kubernetes label-selector
 * semantics over the generator's parameters. With goTemplate, nested keys are addressed by
 * joining them with dots (argo-cd #13584, Argo CD >= 2.8).
 */
export interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

export function flattenParams(params: Record<string, unknown>, prefix = '', out: Map<string, string> = new Map()): Map<string, string> {
  for (const [key, value] of Object.entries(params)) {
    const full = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) flattenParams(value as Record<string, unknown>, full, out);
    else out.set(full, value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value));
  }
  return out;
}

export function matchesSelector(selector: Selector, params: Record<string, unknown>): boolean {
  const flat = flattenParams(params);
  for (const [key, want] of Object.entries(selector.matchLabels ?? {})) {
    if (flat.get(key) !== want) return false;
  }
  for (const expr of selector.matchExpressions ?? []) {
    const has = flat.has(expr.key);
    const value = flat.get(expr.key);
    switch (expr.operator) {
      case 'In':
        if (!has || !(expr.values ?? []).includes(value!)) return false;
        break;
      case 'NotIn':
        if (has && (expr.values ?? []).includes(value!)) return false;
        break;
      case 'Exists':
        if (!has && !hasPrefix(flat, expr.key)) return false;
        break;
      case 'DoesNotExist':
        if (has || hasPrefix(flat, expr.key)) return false;
        break;
      default:
        throw new Error(`unknown selector operator "${String((expr as { operator: unknown }).operator)}"`);
    }
  }
  return true;
}

/** A key that names a map (e.g. releases.prod) exists when any leaf lies under it. */
function hasPrefix(flat: Map<string, string>, k: string): boolean {
  for (const name of flat.keys()) if (name.startsWith(`${k}.`)) return true;
  return false;
}
