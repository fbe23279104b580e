import { arr, int, rec, servicesSelecting, str, type Container, type Rec } from '../model.js';
import type { Rule, Violation } from '../rule.js';
import { onContainer } from './common.js';

const HANDLERS = ['httpGet', 'tcpSocket', 'grpc', 'exec'] as const;

/** The part of a probe that decides what is checked (timings aside), as a comparable string. */
function handlerKey(probe: Rec): string | undefined {
  for (const kind of HANDLERS) {
    if (probe[kind] === undefined) continue;
    const h = rec(probe[kind]);
    switch (kind) {
      case 'httpGet':
        return JSON.stringify([kind, str(h.host), String(h.port), str(h.path) || '/', str(h.scheme) || 'HTTP', arr(h.httpHeaders).map((x) => [str(rec(x).name).toLowerCase(), str(rec(x).value)])]);
      case 'tcpSocket':
        return JSON.stringify([kind, str(h.host), String(h.port)]);
      case 'grpc':
        return JSON.stringify([kind, String(h.port), str(h.service)]);
      case 'exec':
        return JSON.stringify([kind, arr(h.command).map(String)]);
    }
  }
  return undefined;
}

/** Main containers and native sidecars keep running: they are the ones probes apply to. */
function running(c: Container): boolean {
  return !c.init || c.sidecar;
}

export const probeRules: Rule[] = [
  {
    code: 'POLICY_READINESS_PROBE_MISSING',
    title: 'Containers of pods that a Service sends traffic to have a readiness probe.',
    hint: 'Add a readinessProbe (values probes.readiness) that fails while the container cannot serve: without one, a pod gets traffic the moment it starts and during its shutdown.',
    severity: { baseline: 'warning', restricted: 'error' },
    reads: 'environment',
    check(app, fleet) {
      const out: Violation[] = [];
      for (const w of app.workloads) {
        if (!w.longRunning || servicesSelecting(fleet, app, w).length === 0) continue;
        for (const c of w.containers) {
          if (!c.init && c.spec.readinessProbe === undefined) out.push(onContainer(w, c, '/readinessProbe', 'has no readiness probe, yet a Service sends it traffic'));
        }
      }
      return out;
    },
  },
  {
    code: 'POLICY_LIVENESS_PROBE_MISSING',
    title: 'Long-running containers have a liveness probe.',
    hint: 'Add a livenessProbe (values probes.liveness) that fails only when a restart would help (a deadlock, a stuck consumer), never on a dependency being down.',
    severity: { baseline: 'warning', restricted: 'error' },
    check(app) {
      const out: Violation[] = [];
      for (const w of app.workloads) {
        if (!w.longRunning) continue;
        for (const c of w.containers) {
          if (!c.init && c.spec.livenessProbe === undefined) out.push(onContainer(w, c, '/livenessProbe', 'has no liveness probe'));
        }
      }
      return out;
    },
  },
  {
    code: 'POLICY_PROBES_IDENTICAL',
    title: 'The liveness probe checks something other than the readiness probe.',
    hint: 'Point liveness at a cheap "process is alive" endpoint and readiness at "can serve now": when both check the same thing, an overloaded pod is restarted instead of taken out of rotation, and the failure cascades.',
    severity: { baseline: 'warning', restricted: 'error' },
    check(app) {
      const out: Violation[] = [];
      for (const w of app.workloads) {
        for (const c of w.containers) {
          if (!running(c)) continue;
          const live = handlerKey(rec(c.spec.livenessProbe));
          if (live !== undefined && live === handlerKey(rec(c.spec.readinessProbe))) {
            out.push(onContainer(w, c, '/livenessProbe', 'has a liveness probe identical to its readiness probe'));
          }
        }
      }
      return out;
    },
  },
  {
    code: 'POLICY_PROBE_PORT_UNKNOWN',
    title: "Every probe's port is a port of its container (by name or number).",
    hint: 'Probe a port the container declares in ports[] (by its name, or by the same number): a named port that does not exist fails the pod, a wrong number probes nothing.',
    severity: { baseline: 'error', restricted: 'error' },
    check(app) {
      const out: Violation[] = [];
      for (const w of app.workloads) {
        for (const c of w.containers) {
          if (!running(c)) continue;
          const ports = arr(c.spec.ports).map(rec);
          for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe'] as const) {
            const spec = rec(c.spec[probe]);
            for (const kind of ['httpGet', 'tcpSocket', 'grpc'] as const) {
              if (spec[kind] === undefined) continue;
              const port = rec(spec[kind]).port;
              const number = int(port);
              const known = number !== undefined ? ports.some((p) => int(p.containerPort) === number) : ports.some((p) => p.name === port);
              if (!known) {
                const shown = typeof port === 'string' ? `"${port}"` : String(port);
                out.push(onContainer(w, c, `/${probe}/${kind}/port`, `${probe} probes port ${shown}, which the container does not declare`));
              }
            }
          }
        }
      }
      return out;
    },
  },
];
