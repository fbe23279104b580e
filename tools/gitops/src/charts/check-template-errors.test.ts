import { describe, expect, it } from 'vitest';
import { atTemplateLine, mapTemplateError, parseLintOutput } from './check-template-errors.js';

const dirs = (chain: readonly string[]) => ({ microservice: 'platform-charts/microservice', 'microservice/platform-lib': 'platform-charts/platform-lib' })[chain.join('/')];

describe('mapTemplateError', () => {
  it("maps helm 4's call chain to repository paths, innermost last", () => {
    const error = [
      'microservice/templates/hpa.yaml:2:3',
      '  executing "microservice/templates/hpa.yaml" at <include "platform.hpa" .>:',
      '    error calling include:',
      'microservice/charts/platform-lib/templates/_scaling.tpl:20:24',
      '  executing "platform.hpa" at <.Values.x.y.z>:',
    ].join('\n');
    const mapped = mapTemplateError(error, dirs);
    expect(mapped.location).toEqual({ file: 'platform-charts/platform-lib/templates/_scaling.tpl', line: 20, column: 24 });
    expect(mapped.message).toContain('platform-charts/microservice/templates/hpa.yaml:2:3');
    expect(mapped.message).toContain('platform-charts/platform-lib/templates/_scaling.tpl:20:24');
    expect(mapped.message).not.toMatch(/microservice\/charts\//);
  });

  it('maps helm 3 style and parse errors, leaves unknown charts alone', () => {
    expect(mapTemplateError('template: microservice/charts/platform-lib/templates/_scaling.tpl:12:3: executing "x"', dirs).location).toEqual({ file: 'platform-charts/platform-lib/templates/_scaling.tpl', line: 12, column: 3 });
    expect(mapTemplateError('parse error at (microservice/charts/platform-lib/templates/_scaling.tpl:5): missing value for if', dirs)).toEqual({
      message: 'parse error at (platform-charts/platform-lib/templates/_scaling.tpl:5): missing value for if',
      location: { file: 'platform-charts/platform-lib/templates/_scaling.tpl', line: 5 },
    });
    expect(mapTemplateError('template: other/templates/a.yaml:1:2: boom', dirs)).toEqual({ message: 'template: other/templates/a.yaml:1:2: boom', location: undefined });
  });
});

describe('atTemplateLine', () => {
  const failed = {
    code: 'HELM_TEMPLATE_FAILED' as const,
    severity: 'error' as const,
    message: 'orders-prod: helm template failed: execution error at (microservice/templates/hpa.yaml:4:7): too few\nUse --debug flag to render out invalid YAML',
    location: { file: 'services/orders/values-prod.yaml' },
  };

  it('moves a render failure to the template line, once: a mapped finding maps to itself', () => {
    const mapped = atTemplateLine(failed, dirs);
    expect(mapped.location).toEqual({ file: 'platform-charts/microservice/templates/hpa.yaml', line: 4, column: 7 });
    expect(mapped.message).toBe('orders-prod: helm template failed: execution error at (platform-charts/microservice/templates/hpa.yaml:4:7): too few');
    expect(atTemplateLine(mapped, dirs)).toEqual(mapped);
  });

  it('leaves other findings and charts this repository lacks where they are', () => {
    expect(atTemplateLine({ ...failed, message: 'orders-prod: helm template failed: execution error at (other/templates/a.yaml:1:2): x' }, dirs).location).toEqual(failed.location);
    expect(atTemplateLine({ ...failed, code: 'VALUES_INVALID' }, dirs)).toEqual({ ...failed, code: 'VALUES_INVALID' });
  });
});

describe('parseLintOutput', () => {
  it('keeps errors and warnings with their continuation lines, drops INFO', () => {
    const out = ['==> Linting .', '[INFO] Chart.yaml: icon is recommended', '[ERROR] templates/: microservice/templates/hpa.yaml:2:3', '  executing "x"', '', '[WARNING] values.yaml: odd', '', 'Error: 1 chart(s) linted, 1 chart(s) failed'].join('\n');
    expect(parseLintOutput(out)).toEqual([
      { severity: 'error', path: 'templates/', text: 'microservice/templates/hpa.yaml:2:3\n  executing "x"' },
      { severity: 'warning', path: 'values.yaml', text: 'odd' },
    ]);
  });
});
