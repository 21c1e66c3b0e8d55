// Demo mode: the service with fake Meta, Instagram Login and TikTok (consent screens included) and a local
// SMTP server.
import { resolve } from 'node:path';
import { createJsonLogger } from '../src/adapters/logging/json-logger.js';
import { SecretValues } from '../src/adapters/logging/secret-values.js';
import { onShutdownSignal } from '../src/runtime/node-process.js';
import { DEMO_SMTP_ACCOUNT } from '../test/support/demo-smtp-server.js';
import { startDemoStack } from '../test/support/demo-stack.js';
import { refuseTakenPort } from './demo-ports.js';

const port = Number(process.env.PORT ?? 8000);
const smtpPort = Number(process.env.DEMO_SMTP_PORT ?? 2525);
await refuseTakenPort(port, 'PORT');
await refuseTakenPort(smtpPort, 'DEMO_SMTP_PORT');
const stack = await startDemoStack({
  port,
  smtpPort,
  dataDir: resolve(process.env.DATA_DIR ?? '.data', 'demo'),
  echo: process.env.DEMO_QUIET === undefined,
});

process.stdout.write(
  [
    '',
    `Demo ready. Open ${stack.baseUrl}/settings?user_id=demo`,
    `  Email:  address and username ${DEMO_SMTP_ACCOUNT.user}, password ${DEMO_SMTP_ACCOUNT.password},`,
    `          SMTP server localhost, port ${stack.smtp.server.port} (any other password shows the failure)`,
    '  Instagram, Facebook, TikTok: Connect opens a local fake consent page; untick a permission to see',
    '          a missing scope and Reconnect, or Cancel to see a refused sign-in. Instagram offers both',
    '          Facebook Login (through a Page) and Instagram Login (no Page).',
    `  Play the customer: ${stack.customer.baseUrl} sends a message to the demo Page (or its Instagram),`,
    '          delivered to the service as a signed Meta webhook: connect Facebook or Instagram as user demo,',
    '          write, then reply with the curl command it shows (inside the 24-hour window).',
    `  API docs: ${stack.baseUrl}/docs`,
    'Everything starts empty on each run. Ctrl+C stops it.',
    '',
  ].join('\n'),
);

// The service (a child process) gets SIGTERM and saves what it holds; the fakes close with it.
const logger = createJsonLogger('info', (line) => process.stdout.write(`${line}\n`), new SecretValues([]));
onShutdownSignal(logger, () => stack.stop());
