import { nsOf, ofKind, str } from '../model.js';
import type { Rule, Violation } from '../rule.js';
import { onTemplate } from './common.js';

export const serviceAccountRules: Rule[] = [
  {
    code: 'POLICY_SERVICE_ACCOUNT_NOT_OWN',
    title: 'Pods run as a ServiceAccount that their Application creates, never the namespace default.',
    hint: 'Create a ServiceAccount for the service (values serviceAccount) and set serviceAccountName to it: mesh identities and cloud IAM bindings are per service account.',
    severity: { baseline: 'warning', restricted: 'error' },
    check(app) {
      const out: Violation[] = [];
      for (const w of app.workloads) {
        const name = str(w.podSpec.serviceAccountName) || str(w.podSpec.serviceAccount);
        const pointer = w.podSpec.serviceAccountName !== undefined || w.podSpec.serviceAccount === undefined ? '/spec/serviceAccountName' : '/spec/serviceAccount';
        if (name === '' || name === 'default') {
          out.push(onTemplate(w, pointer, 'runs as the namespace\'s "default" service account'));
        } else if (!ofKind(app, 'ServiceAccount', '').some((sa) => sa.name === name && nsOf(sa, app.namespace) === w.namespace)) {
          out.push(onTemplate(w, pointer, `runs as service account "${name}", which this Application does not create`));
        }
      }
      return out;
    },
  },
  {
    code: 'POLICY_SERVICE_ACCOUNT_TOKEN_MOUNTED',
    title: 'Pods do not mount a Kubernetes API token unless they ask for one (automountServiceAccountToken: true on the pod).',
    hint: 'Set automountServiceAccountToken: false on the ServiceAccount or the pod; a pod that calls the Kubernetes API sets it to true on the pod, visibly.',
    severity: { baseline: 'warning', restricted: 'error' },
    check(app) {
      const out: Violation[] = [];
      for (const w of app.workloads) {
        const onPod = w.podSpec.automountServiceAccountToken;
        if (onPod === true || onPod === false) continue;
        const name = str(w.podSpec.serviceAccountName) || str(w.podSpec.serviceAccount) || 'default';
        const sa = ofKind(app, 'ServiceAccount', '').find((s) => s.name === name && nsOf(s, app.namespace) === w.namespace);
        if (sa?.object.automountServiceAccountToken === false) continue;
        out.push(onTemplate(w, '/spec/automountServiceAccountToken', `mounts a Kubernetes API token it did not ask for (service account "${name}" does not turn automounting off)`));
      }
      return out;
    },
  },
];
