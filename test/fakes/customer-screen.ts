import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { Hono } from 'hono';
import { html } from 'hono/html';
import type { FakePage, MetaFake } from './meta-fake.js';

/** Who the demo's customer is, unless they type another id. */
export const DEMO_CUSTOMER_ID = '24000000000000042';

interface Delivered {
  readonly platform: 'facebook' | 'instagram';
  readonly from: string;
  readonly status: number;
}

const accountOf = (page: FakePage, platform: 'facebook' | 'instagram') =>
  platform === 'facebook' ? page.id : page.instagramAccountId;

function replyCommand(serviceUrl: string, delivered: Delivered): string {
  const body = JSON.stringify({ recipient_id: delivered.from, text: 'Thanks for your message!' });
  return `curl -X POST '${serviceUrl}/api/outreach/${delivered.platform}/messages?user_id=demo' -H 'content-type: application/json' -d '${body}'`;
}

const screen = (page: FakePage, serviceUrl: string, delivered: Delivered | null) => html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Write to ${page.name} (local fake of Messenger and Instagram)</title>
    <style>
      body { font-family: system-ui, sans-serif; max-width: 36rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
      .note { background: #fdf0dc; padding: 0.5rem 0.75rem; border-radius: 0.375rem; }
      label { display: block; margin: 0.75rem 0 0.25rem; font-weight: 600; }
      input, select, textarea { font: inherit; width: 100%; box-sizing: border-box; padding: 0.375rem; }
      button { font: inherit; font-weight: 600; padding: 0.5rem 1.25rem; margin-top: 1rem; min-height: 2.75rem; }
      output { display: block; margin-top: 1.5rem; }
      code { display: block; white-space: pre-wrap; word-break: break-all; background: #f2f4f7; padding: 0.5rem; }
    </style>
  </head>
  <body>
    <main>
      <p class="note">A local fake for the demo: you play a customer writing to the business. The fake Meta
        delivers your message to the service as a signed webhook, which opens your 24-hour reply window.</p>
      <h1>Send a message to ${page.name}</h1>
      <form method="post">
        <label for="platform">Where you write</label>
        <select id="platform" name="platform">
          <option value="facebook">Messenger: the Facebook Page ${page.name}</option>
          ${page.instagramAccountId === undefined ? '' : html`<option value="instagram" ${delivered?.platform === 'instagram' ? 'selected' : ''}>Instagram: @${page.instagramUsername ?? page.instagramAccountId}</option>`}
        </select>
        <label for="from">Your id (the PSID or IGSID the business replies to)</label>
        <input id="from" name="from" value="${delivered?.from ?? DEMO_CUSTOMER_ID}" inputmode="numeric" pattern="[0-9]{1,64}" required />
        <label for="text">Message</label>
        <textarea id="text" name="text" rows="3" required>Hi! Do you ship to Lisbon?</textarea>
        <button type="submit">Send</button>
      </form>
      ${
        delivered === null
          ? ''
          : html`<output role="status">
              <p>${
                delivered.status === 200
                  ? 'Delivered: the service answered the webhook with 200 and your window is open.'
                  : `The service answered the webhook with ${delivered.status}.`
              }</p>
              <p>Reply as the business (connected as user <strong>demo</strong>) within 24 hours:</p>
              <code>${replyCommand(serviceUrl, delivered)}</code>
            </output>`
      }
    </main>
  </body>
</html>`;

/**
 * The demo's way to play the customer: a form that makes the fake Meta deliver "a person wrote to the
 * Page" (or its Instagram account) to the service as a signed webhook, as the real Meta would.
 */
export class CustomerScreen {
  private constructor(
    private readonly server: ServerType,
    readonly baseUrl: string,
  ) {}

  static async start(meta: MetaFake, serviceUrl: string): Promise<CustomerScreen> {
    const page = () => {
      const first = meta.pages[0];
      if (first === undefined) throw new Error('the fake Meta has no Page to write to');
      return first;
    };
    const app = new Hono()
      .get('/', (c) => c.html(screen(page(), serviceUrl, null)))
      .post('/', async (c) => {
        const form = await c.req.formData();
        const platform = form.get('platform') === 'instagram' ? 'instagram' : 'facebook';
        const from = String(form.get('from') ?? '');
        const text = String(form.get('text') ?? '');
        const accountId = accountOf(page(), platform);
        if (!/^\d{1,64}$/.test(from) || text === '' || accountId === undefined) {
          return c.text('Give a numeric id and a message.', 400);
        }
        const status = await meta.personWrites(platform, accountId, { from, text });
        return c.html(screen(page(), serviceUrl, { platform, from, status }));
      });
    const server = await new Promise<ServerType>((resolve) => {
      const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
    });
    const { port } = server.address() as AddressInfo;
    return new CustomerScreen(server, `http://127.0.0.1:${port}`);
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }
}
