import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  readonly path: string;
  readonly id: string;
  readonly timestamp: string;
  readonly signatures: readonly string[];
  readonly body: string;
  /** The parsed payload when the `standardwebhooks` library verified it with the receiver's secret. */
  readonly verified: unknown;
}

/** A scripted "status" that never answers: the request stays open until the receiver closes. */
export const HOLD = 0;

/**
 * A real HTTP receiver on loopback that verifies every delivery with the `standardwebhooks` library and
 * answers each path with the statuses scripted for it in turn (the last one repeating; 200 unscripted).
 */
export async function startWebhookReceiver(secret: string) {
  const verifier = new Webhook(secret);
  const received: ReceivedWebhook[] = [];
  const scripts = new Map<string, number[]>();
  const waiters: Array<() => void> = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const header = (name: string) => String(request.headers[name] ?? '');
      let verified: unknown = null;
      try {
        verified = verifier.verify(body, {
          'webhook-id': header('webhook-id'),
          'webhook-timestamp': header('webhook-timestamp'),
          'webhook-signature': header('webhook-signature'),
        });
      } catch {
        verified = null;
      }
      const path = request.url ?? '/';
      received.push({
        path,
        id: header('webhook-id'),
        timestamp: header('webhook-timestamp'),
        signatures: header('webhook-signature').split(' '),
        body,
        verified,
      });
      const script = scripts.get(path) ?? [];
      const status = (script.length > 1 ? script.shift() : script[0]) ?? 200;
      for (const wake of waiters.splice(0)) wake();
      if (status === HOLD) return;
      response.writeHead(status, status === 302 ? { location: `${path}/elsewhere` } : {}).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    received,
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    /** Answers the next requests to `path` with these statuses, the last one repeating. */
    script(path: string, statuses: number[]) {
      scripts.set(path, [...statuses]);
    },
    at: (path: string) => received.filter((webhook) => webhook.path === path),
    /** Resolves once `count` deliveries have arrived (a server process delivers on its own schedule). */
    async waitFor(count: number, path?: string): Promise<void> {
      const have = () => (path === undefined ? received : received.filter((w) => w.path === path)).length;
      while (have() < count) await new Promise<void>((resolve) => waiters.push(resolve));
    },
    /** Resolves with the first delivery of the event `id` once it has arrived. */
    async deliveryOf(id: string): Promise<ReceivedWebhook> {
      for (;;) {
        const found = received.find((webhook) => webhook.id === id);
        if (found !== undefined) return found;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;

/** A fresh Standard Webhooks secret. */
export function webhookSecret(): string {
  return `whsec_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64')}`;
}
