import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';

/** One request as the fake GitHub received it. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/repos/acme/fleet/issues/12/comments`. */
  path: string;
  query: Record<string, string>;
  /** Parsed JSON body; undefined when there was none. */
  body: unknown;
  /** Lower-case header names, as node gives them (authorization included). */
  headers: IncomingHttpHeaders;
}

/** What the fake GitHub answers to the next request. */
export interface ScriptedReply {
  /** Default 200. */
  status?: number;
  /** Sent as JSON; nothing is sent when undefined. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface GitHubServer {
  /** `http://127.0.0.1:<port>`, to pass as baseUrl. */
  url: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Queues replies; each request takes the next one. An unscripted request gets a 400. */
  reply(...replies: ScriptedReply[]): void;
  /** Replies not used yet. */
  pending(): number;
}

/**
 * A GitHub stand-in on loopback (port 0) that records every request and answers from a
 * scripted queue. Closed when the test ends.
 */
export async function startGitHubServer(): Promise<GitHubServer> {
  const requests: RecordedRequest[] = [];
  const queue: ScriptedReply[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const text = Buffer.concat(chunks).toString('utf8');
      requests.push({
        method: req.method ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body: text === '' ? undefined : JSON.parse(text),
        headers: req.headers,
      });
      // 400 is never retried, so a missing reply fails the test at once.
      const next = queue.shift() ?? { status: 400, body: { message: `unscripted request ${req.method} ${url.pathname}` } };
      const headers: Record<string, string> = { ...next.headers };
      if (next.body !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
      res.writeHead(next.status ?? 200, headers);
      res.end(next.body === undefined ? undefined : JSON.stringify(next.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reply: (...replies) => queue.push(...replies),
    pending: () => queue.length,
  };
}
