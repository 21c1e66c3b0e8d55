// A local SMTP server (STARTTLS + AUTH) for trying the service without a real mail account.
import { resolve } from 'node:path';
import { demoSmtpHint, startDemoSmtpServer } from '../test/support/demo-smtp-server.js';

const { server, caFile } = await startDemoSmtpServer(
  resolve(process.env.DATA_DIR ?? '.data', 'demo-smtp'),
  Number(process.env.DEMO_SMTP_PORT ?? 2525),
);

process.stdout.write(`${demoSmtpHint(server.port, caFile).join('\n')}\n`);
process.once('SIGINT', () => server.close().then(() => process.exit(0)));
process.once('SIGTERM', () => server.close().then(() => process.exit(0)));
