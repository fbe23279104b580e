import { describe, expect, it } from 'vitest';
import { envsubst, escapeCommas } from './helm-args.js';

describe("Argo CD's parameter handling", () => {
  it('substitutes build environment variables like os.Expand', () => {
    const vars = { ARGOCD_APP_NAME: 'shop-prod', ARGOCD_APP_NAMESPACE: 'commerce' };
    expect(envsubst('$ARGOCD_APP_NAME.${ARGOCD_APP_NAMESPACE}', vars)).toBe('shop-prod.commerce');
    expect(envsubst('cost $$5 $UNKNOWN!', vars)).toBe('cost $5 !');
  });

  it('escapes commas so helm keeps one value, except in {a,b} lists and already-escaped ones', () => {
    expect(escapeCommas('a,b')).toBe('a\\,b');
    expect(escapeCommas('a\\,b')).toBe('a\\,b');
    expect(escapeCommas('{a,b}')).toBe('{a,b}');
  });
});
