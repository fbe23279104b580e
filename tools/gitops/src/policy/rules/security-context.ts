import { arr, int, rec, str, type Container, type Workload } from '../model.js';
import type { Rule, Violation } from '../rule.js';
import { onContainer, onTemplate } from './common.js';

/** The UID of Istio's sidecar: the proxy's iptables rules let its traffic bypass the mesh. */
const ISTIO_PROXY_UID = 1337;

/** Capabilities a container runtime grants by default: the Pod Security "baseline" level allows adding these back. */
const DEFAULT_CAPABILITIES = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);

/** Pod Security exempts Windows pods from the Linux-only controls (seccomp, capabilities, privilege escalation). */
function windows(w: Workload): boolean {
  return rec(w.podSpec.os).name === 'windows';
}

/**
 * A container setting that the pod's securityContext provides when the container's does not:
 * the value in force and the pointer where it is (or should be) written.
 */
function inherited(w: Workload, c: Container, field: string): { value: unknown; pointer: string } {
  const own = rec(c.spec.securityContext)[field];
  if (own !== undefined) return { value: own, pointer: `${c.pointer}/securityContext/${field}` };
  const pod = rec(w.podSpec.securityContext)[field];
  if (pod !== undefined) return { value: pod, pointer: `${w.templatePointer}/spec/securityContext/${field}` };
  return { value: undefined, pointer: `${c.pointer}/securityContext/${field}` };
}

function perContainer(check: (w: Workload, c: Container, sc: Record<string, unknown>) => Violation | Violation[] | undefined, skipWindows = false) {
  return (app: { workloads: Workload[] }): Violation[] => {
    const out: Violation[] = [];
    for (const w of app.workloads) {
      if (skipWindows && windows(w)) continue;
      for (const c of w.containers) {
        const found = check(w, c, rec(c.spec.securityContext));
        if (found) out.push(...(Array.isArray(found) ? found : [found]));
      }
    }
    return out;
  };
}

function capName(value: unknown): string {
  return String(value).toUpperCase().replace(/^CAP_/, '');
}

export const securityContextRules: Rule[] = [
  {
    code: 'POLICY_RUN_AS_ROOT',
    title: 'Containers run with runAsNonRoot: true, as a UID that is neither 0 (root) nor 1337 (the Istio proxy) and not in the proxy\'s group 1337.',
    hint: 'Set securityContext.runAsNonRoot: true and runAsUser to the non-root UID the image is built for (not 1337, whose traffic Istio does not intercept).',
    severity: { baseline: 'warning', restricted: 'error' },
    check: perContainer((w, c) => {
      const out: Violation[] = [];
      const nonRoot = inherited(w, c, 'runAsNonRoot');
      if (nonRoot.value !== true) {
        out.push({ ...onContainer(w, c, '', nonRoot.value === false ? 'sets runAsNonRoot: false' : 'may run as root: runAsNonRoot is not set'), pointer: nonRoot.pointer });
      }
      const uid = inherited(w, c, 'runAsUser');
      if (int(uid.value) === 0) out.push({ ...onContainer(w, c, '', 'runs as UID 0 (root)'), pointer: uid.pointer });
      if (int(uid.value) === ISTIO_PROXY_UID) out.push({ ...onContainer(w, c, '', `runs as UID ${ISTIO_PROXY_UID}, the Istio proxy's UID, so its traffic bypasses the sidecar`), pointer: uid.pointer });
      // Istio's iptables rules exempt the proxy's group as well as its user.
      const gid = inherited(w, c, 'runAsGroup');
      if (int(gid.value) === ISTIO_PROXY_UID) out.push({ ...onContainer(w, c, '', `runs as GID ${ISTIO_PROXY_UID}, the Istio proxy's group, so its traffic bypasses the sidecar`), pointer: gid.pointer });
      return out;
    }),
  },
  {
    code: 'POLICY_ROOT_FILESYSTEM_WRITABLE',
    title: 'Containers have a read-only root filesystem.',
    hint: 'Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the process writes (e.g. /tmp).',
    severity: { baseline: 'warning', restricted: 'error' },
    check: perContainer((w, c, sc) => (sc.readOnlyRootFilesystem === true ? undefined : onContainer(w, c, '/securityContext/readOnlyRootFilesystem', 'has a writable root filesystem'))),
  },
  {
    code: 'POLICY_PRIVILEGED',
    title: 'No container is privileged.',
    hint: 'Remove securityContext.privileged: a privileged container is root on the node.',
    severity: { baseline: 'error', restricted: 'error' },
    check: perContainer((w, c, sc) => (sc.privileged === true ? onContainer(w, c, '/securityContext/privileged', 'is privileged') : undefined)),
  },
  {
    code: 'POLICY_PRIVILEGE_ESCALATION',
    title: 'Containers set allowPrivilegeEscalation: false.',
    hint: 'Set securityContext.allowPrivilegeEscalation: false (it defaults to true): setuid binaries can otherwise gain privileges.',
    severity: { baseline: 'warning', restricted: 'error' },
    check: perContainer((w, c, sc) => (sc.allowPrivilegeEscalation === false ? undefined : onContainer(w, c, '/securityContext/allowPrivilegeEscalation', 'allows privilege escalation')), true),
  },
  {
    code: 'POLICY_CAPABILITIES_NOT_DROPPED',
    title: 'Containers drop ALL Linux capabilities.',
    hint: 'Set securityContext.capabilities.drop: [ALL] and add back only NET_BIND_SERVICE if the process binds a port below 1024.',
    severity: { baseline: 'warning', restricted: 'error' },
    check: perContainer((w, c, sc) => (arr(rec(sc.capabilities).drop).some((d) => d === 'ALL') ? undefined : onContainer(w, c, '/securityContext/capabilities/drop', 'does not drop ALL capabilities')), true),
  },
  {
    code: 'POLICY_CAPABILITY_ADDED',
    title: 'Containers add no Linux capability beyond NET_BIND_SERVICE (baseline: none beyond the runtime defaults).',
    hint: 'Remove the capability from securityContext.capabilities.add; run the privileged part of the job outside the service.',
    severity: { baseline: 'error', restricted: 'error' },
    check(app) {
      const allowed = (cap: string) => (app.profile === 'restricted' ? cap === 'NET_BIND_SERVICE' : DEFAULT_CAPABILITIES.has(cap));
      return perContainer((w, c, sc) =>
        arr(rec(sc.capabilities).add).flatMap((cap, i) => (allowed(capName(cap)) ? [] : [onContainer(w, c, `/securityContext/capabilities/add/${i}`, `adds capability ${String(cap)}`)])),
      true)(app);
    },
  },
  {
    code: 'POLICY_SECCOMP_PROFILE',
    title: 'Every container runs under the RuntimeDefault (or a Localhost) seccomp profile, set on the pod or the container.',
    hint: 'Set securityContext.seccompProfile.type: RuntimeDefault on the pod.',
    severity: { baseline: 'warning', restricted: 'error' },
    check: perContainer((w, c) => {
      const own = rec(rec(c.spec.securityContext).seccompProfile).type;
      const pod = rec(rec(w.podSpec.securityContext).seccompProfile).type;
      const type = own ?? pod;
      if (type === 'RuntimeDefault' || type === 'Localhost') return undefined;
      const pointer = own !== undefined ? `${c.pointer}/securityContext/seccompProfile/type` : pod !== undefined ? `${w.templatePointer}/spec/securityContext/seccompProfile/type` : `${w.templatePointer}/spec/securityContext/seccompProfile`;
      return { ...onContainer(w, c, '', type === undefined ? 'has no seccomp profile' : `runs with seccomp profile ${str(type) || String(type)}`), pointer };
    }, true),
  },
  {
    code: 'POLICY_HOST_NAMESPACE',
    title: "Pods do not share the node's network, PID or IPC namespace.",
    hint: 'Remove hostNetwork, hostPID and hostIPC from the pod spec.',
    severity: { baseline: 'error', restricted: 'error' },
    check(app) {
      const out: Violation[] = [];
      for (const w of app.workloads) {
        for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) {
          if (w.podSpec[field] === true) out.push(onTemplate(w, `/spec/${field}`, `sets ${field}: true`));
        }
      }
      return out;
    },
  },
  {
    code: 'POLICY_HOST_PATH',
    title: 'Pods mount no hostPath volume.',
    hint: "Use an emptyDir, a ConfigMap or a PersistentVolumeClaim instead: a hostPath reaches the node's filesystem.",
    severity: { baseline: 'error', restricted: 'error' },
    check(app) {
      const out: Violation[] = [];
      for (const w of app.workloads) {
        arr(w.podSpec.volumes).forEach((v, i) => {
          const volume = rec(v);
          if (volume.hostPath !== undefined) out.push(onTemplate(w, `/spec/volumes/${i}/hostPath`, `volume ${str(volume.name)} mounts host path ${str(rec(volume.hostPath).path) || '(unset)'}`));
        });
      }
      return out;
    },
  },
  {
    code: 'POLICY_HOST_PORT',
    title: 'Containers bind no host port.',
    hint: 'Remove ports[].hostPort and reach the pod through a Service.',
    severity: { baseline: 'error', restricted: 'error' },
    check: perContainer((w, c) =>
      arr(c.spec.ports).flatMap((p, i) => {
        const hostPort = int(rec(p).hostPort);
        return hostPort ? [onContainer(w, c, `/ports/${i}/hostPort`, `binds host port ${hostPort}`)] : [];
      }),
    ),
  },
];
