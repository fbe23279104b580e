import { expect, it } from 'vitest';
import { diffResources } from './resources.js';

const deployment = (spec: string) => `---\n# Source: app/templates/deployment.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n${spec}\n`;

it('compares objects as the cluster reads them: YAML 1.1 spellings of one value are no change', () => {
  const same = diffResources(deployment('  replicas: 010\n  paused: yes'), deployment('  replicas: 8\n  paused: true'), { namespace: 'shop', ignore: [] });
  expect(same).toMatchObject([{ kind: 'Deployment', namespace: 'shop', name: 'web', status: 'unchanged', diff: '' }]);

  const changed = diffResources(deployment('  replicas: 010'), deployment('  replicas: 10'), { namespace: 'shop', ignore: [] });
  expect(changed[0]!.status).toBe('changed');
  expect(changed[0]!.diff).toContain('-  replicas: 8\n+  replicas: 10');
});

it('still shows a document the cluster could not read', () => {
  const broken = deployment('  replicas: 2\n  replicas: 3');
  const changes = diffResources(undefined, broken, { namespace: 'shop', ignore: [] });
  expect(changes).toMatchObject([{ kind: 'Deployment', name: 'web', status: 'added' }]);
});
