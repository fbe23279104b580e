import { expect, it } from 'vitest';
import { githubReport } from './github.js';

it('escapes messages and properties as the runner decodes them, errors before warnings', () => {
  const out = githubReport({
    command: 'check',
    findings: [
      { code: 'VALUES_YAML11', severity: 'warning', message: 'on is a boolean', location: { file: 'services/a/values.yaml', line: 3, column: 7 } },
      {
        code: 'VALUES_UNKNOWN_KEY',
        severity: 'error',
        message: '100% "a,b": wrong\r\nsecond line',
        hint: 'use "b"',
        location: { file: 'services/a,b/values:prod.yaml', line: 2, column: 1 },
      },
      { code: 'CODEOWNERS_MISSING', severity: 'warning', message: 'no CODEOWNERS file' },
    ],
  });
  expect(out).toBe(
    [
      '::error file=services/a%2Cb/values%3Aprod.yaml,line=2,col=1,title=VALUES_UNKNOWN_KEY::100%25 "a,b": wrong%0D%0Asecond line%0Ahint: use "b"',
      '::warning file=services/a/values.yaml,line=3,col=7,title=VALUES_YAML11::on is a boolean',
      '::warning title=CODEOWNERS_MISSING::no CODEOWNERS file',
      '',
    ].join('\n'),
  );
});
