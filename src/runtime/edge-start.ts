import type { FernetSecretCipher } from '../adapters/crypto/fernet-secret-cipher.js';
import { UnsupportedMailboxReader } from '../adapters/gateways/imap/unsupported-mailbox-reader.js';
import { UnsupportedMailSender } from '../adapters/gateways/smtp/unsupported-mail-sender.js';
import { UnsupportedMailVerifier } from '../adapters/gateways/smtp/unsupported-mail-verifier.js';
import type { Database } from '../adapters/persistence/database.js';
import { compose, createServiceLog, type RuntimeDrivers, type ServiceLog } from '../composition.js';
import { type Config, parseConfig } from '../config.js';
import { openKeyring } from './service-start.js';

// The start-up the Workers and Deno entries share: web-standard code only (no disk, no SMTP).

/** What an isolate (or a Deno process) keeps between requests: nothing tied to one connection. */
export interface EdgeStart {
  readonly config: Config & { readonly databaseUrl: string };
  readonly cipher: FernetSecretCipher;
  readonly log: ServiceLog;
  readonly mailVerifier: UnsupportedMailVerifier;
  readonly mailSender: UnsupportedMailSender;
  readonly mailboxReader: UnsupportedMailboxReader;
}

/**
 * Parses the configuration and opens the keyring, naming every problem at once. Edge runtimes have no
 * disk for the embedded database or a development key, so DATABASE_URL and ENCRYPTION_KEY are required.
 */
export async function startEdge(
  variables: Readonly<Record<string, string | undefined>>,
  runtime: string,
  write: (line: string) => void,
): Promise<{ ok: true; started: EdgeStart } | { ok: false; problems: string[] }> {
  const parsed = parseConfig(variables);
  if (!parsed.ok) return parsed;
  const { config } = parsed;
  const { databaseUrl, encryptionKey } = config;
  const problems: string[] = [];
  if (databaseUrl === null) {
    problems.push(`DATABASE_URL is required on ${runtime} (on Workers, the HYPERDRIVE binding provides it)`);
  }
  const keyring =
    encryptionKey === null
      ? {
          ok: false as const,
          problem: `ENCRYPTION_KEY is required on ${runtime} (generate one with npm run generate-key)`,
        }
      : await openKeyring(encryptionKey);
  if (!keyring.ok) problems.push(keyring.problem);
  if (databaseUrl === null || !keyring.ok) return { ok: false, problems };
  return {
    ok: true,
    started: {
      config: { ...config, databaseUrl },
      cipher: keyring.cipher,
      log: createServiceLog(config, write),
      mailVerifier: new UnsupportedMailVerifier(runtime),
      mailSender: new UnsupportedMailSender(runtime),
      mailboxReader: new UnsupportedMailboxReader(runtime),
    },
  };
}

/** The service on `db`; SMTP checks and sends answer 501 (see UnsupportedMailVerifier). */
export function composeEdge(
  { config, cipher, log, mailVerifier, mailSender, mailboxReader }: EdgeStart,
  db: Database,
  drivers: Pick<RuntimeDrivers, 'staticAssets' | 'socketAddress'>,
) {
  return compose(config, { db, cipher, log, mailVerifier, mailSender, mailboxReader, ...drivers });
}
