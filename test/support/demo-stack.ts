import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ConsentScreen } from '../fakes/consent-screen.js';
import { CustomerScreen } from '../fakes/customer-screen.js';
import { type DemoSmtpServer, receivedLine, startDemoSmtpServer } from './demo-smtp-server.js';
import { type PlatformFakes, startPlatformFakes } from './platform-fakes.js';
import { freePort, type ServerProcess, startServer } from './server-process.js';

export interface DemoStackOptions {
  /** Where the service listens; a free port when unset. */
  readonly port?: number;
  /** Where the SMTP server listens; a free port when unset. */
  readonly smtpPort?: number;
  /** Holds the service's database and the SMTP certificate; the database starts empty on every start. */
  readonly dataDir: string;
  /** Copy the service's log to stdout, and a line for each message the SMTP server receives. */
  readonly echo?: boolean;
}

export interface DemoStack {
  /** The service, e.g. `http://localhost:8000`. */
  readonly baseUrl: string;
  readonly fakes: PlatformFakes;
  readonly consent: ConsentScreen;
  /** Where a person plays a customer writing to the demo's Page (the fake Meta delivers the webhook). */
  readonly customer: CustomerScreen;
  readonly smtp: DemoSmtpServer;
  readonly service: ServerProcess;
  stop(): Promise<void>;
}

/**
 * Everything needed to click through every flow of the settings page without a real account: fake Meta
 * and TikTok behind their consent screens, a page for playing a customer who writes to the fake Page, a
 * real SMTP server, and the service wired to them.
 */
export async function startDemoStack(options: DemoStackOptions): Promise<DemoStack> {
  const port = options.port ?? (await freePort());
  const redirectUris = ['localhost', '127.0.0.1'].map((host) => `http://${host}:${port}/settings/callback`);
  const fakes = await startPlatformFakes(redirectUris);
  fakes.meta.pages = [
    {
      id: '100000000000042',
      name: 'Acme Studio',
      instagramAccountId: '17841400000000042',
      instagramUsername: 'acme.studio',
    },
  ];
  const consent = await ConsentScreen.start({
    meta: fakes.meta,
    tiktok: fakes.tiktok,
    instagram: fakes.instagram,
  });
  const baseUrl = `http://localhost:${port}`;
  // The fake Meta delivers what the customer writes to the service, signed with the fake app's secret.
  fakes.meta.webhookUrl = `${baseUrl}/webhooks/meta`;
  const customer = await CustomerScreen.start(fakes.meta, baseUrl);
  const smtp = await startDemoSmtpServer(
    join(options.dataDir, 'smtp'),
    options.smtpPort ?? (await freePort()),
    options.echo === true ? (message) => process.stdout.write(`${receivedLine(message)}\n`) : undefined,
  );
  const serviceData = join(options.dataDir, 'service');
  rmSync(serviceData, { recursive: true, force: true });
  const service = await startServer(
    {
      ...fakes.environment,
      PORT: String(port),
      DATA_DIR: serviceData,
      // Outreach email carries one-click unsubscribe links back to this demo.
      PUBLIC_BASE_URL: `http://localhost:${port}`,
      META_DIALOG_URL: consent.metaDialogUrl,
      TIKTOK_AUTH_URL: consent.tiktokAuthUrl,
      INSTAGRAM_AUTH_URL: consent.instagramAuthUrl,
      META_WEBHOOK_VERIFY_TOKEN: 'demo-verify-token',
      SMTP_ALLOW_PRIVATE_HOSTS: 'true',
      SMTP_ALLOWED_PORTS: `465,587,${smtp.server.port}`,
      NODE_EXTRA_CA_CERTS: smtp.caFile,
      OUTBOUND_TIMEOUT_MS: '5000',
      // One person clicking quickly through every flow would meet the default outbound limit (10 a minute).
      RATE_LIMIT_PER_MINUTE: '600',
      RATE_LIMIT_OUTBOUND_PER_MINUTE: '60',
    },
    { echo: options.echo ?? false },
  ).catch(async (error: unknown) => {
    await Promise.all([fakes.close(), consent.close(), customer.close(), smtp.server.close()]);
    throw error;
  });
  return {
    baseUrl,
    fakes,
    consent,
    customer,
    smtp,
    service,
    stop: async () => {
      await service.stop();
      await Promise.all([fakes.close(), consent.close(), customer.close(), smtp.server.close()]);
    },
  };
}
