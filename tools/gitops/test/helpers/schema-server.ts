import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';

export interface SchemaServer {
  /** URL templates in kubeconform's syntax: the kubernetes-json-schema layout, then the CRDs catalog layout. */
  locations: string;
  /** Paths requested, in order. */
  requests: string[];
}

/**
 * kubeconform's two public schema locations, served on loopback from a local copy:
 * /kubernetes/v<version>-standalone-strict/<file> from `<dir>/kubernetes/v<version>-standalone/`
 * and /crds/<group>/<file> from `<dir>/crds/`. Anything else is a 404. Closed when the test ends.
 */
export async function startSchemaServer(dir: string): Promise<SchemaServer> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    requests.push(path);
    const standalone = /^\/kubernetes\/(v[\d.]+)-standalone-strict\/([\w.-]+\.json)$/.exec(path);
    const crd = /^\/crds\/([\w.-]+)\/([\w.-]+\.json)$/.exec(path);
    const file = standalone ? join(dir, 'kubernetes', `${standalone[1]}-standalone`, standalone[2]!) : crd ? join(dir, 'crds', crd[1]!, crd[2]!) : undefined;
    if (!file || !existsSync(file)) {
      res.writeHead(404).end('404: Not Found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    locations: [
      `${base}/kubernetes/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
      `${base}/crds/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json`,
    ].join(' '),
    requests,
  };
}
