import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { Hono } from 'hono';
import { html } from 'hono/html';

/** A platform fake whose consent outcome can be set: what the person grants. */
interface ConsentingFake {
  readonly baseUrl: string;
  grantedScopes: readonly string[] | null;
}

const PROVIDERS = { meta: 'Meta', tiktok: 'TikTok', instagram: 'Instagram' } as const;
type Provider = keyof typeof PROVIDERS;

const isProvider = (value: string): value is Provider => Object.hasOwn(PROVIDERS, value);

const page = (provider: Provider, scopes: readonly string[], next: string) => html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${PROVIDERS[provider]} (local fake): allow access?</title>
    <style>
      body { font-family: system-ui, sans-serif; max-width: 32rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
      .note { background: #fdf0dc; padding: 0.5rem 0.75rem; border-radius: 0.375rem; }
      fieldset { border: 1px solid #d5dae2; border-radius: 0.5rem; margin: 1rem 0; }
      label { display: block; padding: 0.375rem 0; }
      button { font: inherit; font-weight: 600; padding: 0.5rem 1.25rem; margin-right: 0.5rem; min-height: 2.75rem; }
    </style>
  </head>
  <body>
    <main>
      <p class="note">A local fake of ${PROVIDERS[provider]} for the demo and tests: no real account is involved.</p>
      <h1>Allow the outreach app to use your ${PROVIDERS[provider]} account?</h1>
      <form method="post" action="/${provider}/consent">
        <fieldset>
          <legend>Permissions it asks for (untick one to see what a missing permission does)</legend>
          ${scopes.map((scope) => html`<label><input type="checkbox" name="scope" value="${scope}" checked /> ${scope}</label>`)}
        </fieldset>
        <input type="hidden" name="next" value="${next}" />
        <button type="submit" name="decision" value="allow">Allow</button>
        <button type="submit" name="decision" value="cancel">Cancel</button>
      </form>
    </main>
  </body>
</html>`;

/**
 * The consent page a person sees at Meta or TikTok, in front of their fakes, for clicking through sign-in
 * by hand: it lists the permissions asked for, each with a checkbox, then hands over to the fake's own
 * authorize route granting what was ticked, or returns the person with `error=access_denied`.
 * Point META_DIALOG_URL, TIKTOK_AUTH_URL and INSTAGRAM_AUTH_URL at {@link metaDialogUrl},
 * {@link tiktokAuthUrl} and {@link instagramAuthUrl}.
 */
export class ConsentScreen {
  private constructor(
    private readonly server: ServerType,
    readonly baseUrl: string,
  ) {}

  static async start(fakes: Readonly<Record<Provider, ConsentingFake>>): Promise<ConsentScreen> {
    const app = new Hono()
      .post('/:provider/consent', async (c) => {
        const provider = c.req.param('provider');
        if (!isProvider(provider)) return c.notFound();
        const fake = fakes[provider];
        const form = await c.req.formData();
        const next = new URL(String(form.get('next') ?? '/'), fake.baseUrl);
        if (next.origin !== new URL(fake.baseUrl).origin) return c.text('next must stay on the fake', 400);
        if (form.get('decision') === 'allow') {
          fake.grantedScopes = form.getAll('scope').map(String);
          return c.redirect(next.toString(), 302);
        }
        const back = new URL(next.searchParams.get('redirect_uri') ?? '');
        back.search = new URLSearchParams({
          error: 'access_denied',
          error_description: 'The person cancelled the sign-in',
          state: next.searchParams.get('state') ?? '',
        }).toString();
        return c.redirect(back.toString(), 302);
      })
      .get('/:provider/*', (c) => {
        const provider = c.req.param('provider');
        if (!isProvider(provider)) return c.notFound();
        const url = new URL(c.req.url);
        const scopes = (url.searchParams.get('scope') ?? '').split(',').filter((scope) => scope !== '');
        const next = `${url.pathname.slice(provider.length + 1)}${url.search}`;
        return c.html(page(provider, scopes, next));
      });
    const server = await new Promise<ServerType>((resolve) => {
      const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
    });
    const { port } = server.address() as AddressInfo;
    return new ConsentScreen(server, `http://127.0.0.1:${port}`);
  }

  get metaDialogUrl(): string {
    return `${this.baseUrl}/meta`;
  }

  get tiktokAuthUrl(): string {
    return `${this.baseUrl}/tiktok`;
  }

  /** Instagram Login's www.instagram.com, in front of the Instagram fake. */
  get instagramAuthUrl(): string {
    return `${this.baseUrl}/instagram`;
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }
}
