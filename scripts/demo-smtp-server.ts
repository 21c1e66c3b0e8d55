// A local SMTP server (STARTTLS + AUTH) for trying the service without a real mail account.
import { resolve } from 'node:path';
import { DEMO_SMTP_ACCOUNT, startDemoSmtpServer } from '../test/support/demo-smtp-server.js';

const { server, caFile } = await startDemoSmtpServer(
  resolve(process.env.DATA_DIR ?? '.data', 'demo-smtp'),
  Number(process.env.DEMO_SMTP_PORT ?? 2525),
);

process.stdout.write(
  [
    `Demo SMTP server on localhost:${server.port} (STARTTLS), account ${DEMO_SMTP_ACCOUNT.user} / ${DEMO_SMTP_ACCOUNT.password}`,
    'Start the service so it trusts this server and may reach localhost:',
    `  SMTP_ALLOW_PRIVATE_HOSTS=true NODE_EXTRA_CA_CERTS=${caFile} npm start`,
    '',
  ].join('\n'),
);
process.once('SIGINT', () => server.close().then(() => process.exit(0)));
process.once('SIGTERM', () => server.close().then(() => process.exit(0)));
