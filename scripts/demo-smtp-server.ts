// A local SMTP server (STARTTLS + AUTH) for trying the service without a real mail account.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateTestCertificate, startTestSmtpServer } from '../test/support/smtp-test-server.js';

const directory = resolve(process.env.DATA_DIR ?? '.data', 'demo-smtp');
const port = Number(process.env.DEMO_SMTP_PORT ?? 2525);
const user = 'demo@example.com';
const password = 'demo-password';

mkdirSync(directory, { recursive: true });
const certificate = generateTestCertificate(['DNS:localhost', 'IP:127.0.0.1']);
const caFile = join(directory, 'ca.pem');
writeFileSync(caFile, certificate.cert);
const server = await startTestSmtpServer({ certificate, user, password, port });

process.stdout.write(
  [
    `Demo SMTP server on localhost:${server.port} (STARTTLS), account ${user} / ${password}`,
    'Start the service so it trusts this server and may reach localhost:',
    `  SMTP_ALLOW_PRIVATE_HOSTS=true NODE_EXTRA_CA_CERTS=${caFile} npm start`,
    '',
  ].join('\n'),
);
process.once('SIGINT', () => server.close().then(() => process.exit(0)));
process.once('SIGTERM', () => server.close().then(() => process.exit(0)));
