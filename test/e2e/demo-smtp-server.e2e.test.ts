import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_SMTP_ACCOUNT } from '../support/demo-smtp-server.js';
import { jsonPoster } from '../support/http-json.js';
import { freePort, type ServerProcess, spawnCapturing, startServer } from '../support/server-process.js';

const SCRIPT = fileURLToPath(new URL('../../scripts/demo-smtp-server.ts', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'demo-smtp-e2e-'));
const running: ChildProcess[] = [];
let service: ServerProcess | undefined;

afterAll(async () => {
  await service?.stop();
  for (const child of running) child.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
});

/** `npm run demo:smtp`, until it has printed its hint; resolves with what it printed. */
async function startDemoSmtp(port: number): Promise<{ child: ChildProcess; printed: string }> {
  const { child, output } = spawnCapturing(SCRIPT, [], { DATA_DIR: dataDir, DEMO_SMTP_PORT: String(port) });
  running.push(child);
  const deadline = Date.now() + 30_000;
  while (!output().includes('npm start\n')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`no hint:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, printed: output() };
}

/** The settings of the printed `... npm start` line, as an environment. */
function hintedEnvironment(printed: string): Record<string, string> {
  const line = printed.split('\n').find((text) => text.trim().endsWith('npm start')) ?? '';
  return Object.fromEntries(
    line
      .trim()
      .split(/\s+/)
      .filter((word) => word.includes('='))
      .map((word) => [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)]),
  );
}

describe('npm run demo:smtp', () => {
  it('prints every setting the service needs on a non-default port, and keeps its certificate across restarts', async () => {
    const port = await freePort();
    const first = await startDemoSmtp(port);
    const environment = hintedEnvironment(first.printed);
    expect(environment).toEqual({
      SMTP_ALLOW_PRIVATE_HOSTS: 'true',
      NODE_EXTRA_CA_CERTS: join(dataDir, 'demo-smtp', 'ca.pem'),
      SMTP_ALLOWED_PORTS: `25,465,587,2525,${port}`,
    });
    const certificate = readFileSync(join(dataDir, 'demo-smtp', 'ca.pem'), 'utf8');

    // The service started exactly as the hint says connects email through it.
    service = await startServer(
      { ...environment, DATA_DIR: join(dataDir, 'service') },
      { timeoutMs: 60_000 },
    );
    const post = jsonPoster(() => `${service?.baseUrl}/api/integrations`);
    const saved = await post('/?user_id=demo-smtp-user', {
      platform: 'email',
      email_address: DEMO_SMTP_ACCOUNT.user,
      smtp_host: 'localhost',
      smtp_port: port,
      smtp_username: DEMO_SMTP_ACCOUNT.user,
      smtp_password: DEMO_SMTP_ACCOUNT.password,
    });
    expect(saved.status).toBe(201);

    // Restarted, it serves the same certificate, which the running service still trusts.
    first.child.kill('SIGTERM');
    await new Promise((resolve) => first.child.once('exit', resolve));
    const second = await startDemoSmtp(port);
    expect(hintedEnvironment(second.printed)).toEqual(environment);
    expect(readFileSync(join(dataDir, 'demo-smtp', 'ca.pem'), 'utf8')).toBe(certificate);
    const checked = await post('/email/validate?user_id=demo-smtp-user');
    expect(await checked.json()).toMatchObject({ valid: true, detail: null });
  }, 90_000);
});
