import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';

export interface LoopbackApp {
  readonly base: string;
  /** A request over a real socket, with `body` sent as JSON. */
  call(method: string, path: string, body?: unknown): Promise<Response>;
  close(): Promise<void>;
}

/** Serves an app's `fetch` on a free loopback port, as the Node runtime does. */
export async function serveOnLoopback(
  handler: (request: Request) => Response | Promise<Response>,
): Promise<LoopbackApp> {
  const server = serve({ fetch: handler, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    call: (method, path, body) =>
      fetch(`${base}${path}`, {
        method,
        ...(body === undefined
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
