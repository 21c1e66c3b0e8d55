// A local SMTP server (STARTTLS + AUTH) for trying the service without a real mail account.
import { resolve } from 'node:path';
import { createJsonLogger } from '../src/adapters/logging/json-logger.js';
import { SecretValues } from '../src/adapters/logging/secret-values.js';
import { onShutdownSignal } from '../src/runtime/node-process.js';
import { demoSmtpHint, receivedLine, startDemoSmtpServer } from '../test/support/demo-smtp-server.js';
import { refuseTakenPort } from './demo-ports.js';

const port = Number(process.env.DEMO_SMTP_PORT ?? 2525);
await refuseTakenPort(port, 'DEMO_SMTP_PORT');
const { server, caFile } = await startDemoSmtpServer(
  resolve(process.env.DATA_DIR ?? '.data', 'demo-smtp'),
  port,
  (message) => process.stdout.write(`${receivedLine(message)}\n`),
);

process.stdout.write(`${demoSmtpHint(server.port, caFile).join('\n')}\n`);
const logger = createJsonLogger('info', (line) => process.stdout.write(`${line}\n`), new SecretValues([]));
onShutdownSignal(logger, () => server.close());
