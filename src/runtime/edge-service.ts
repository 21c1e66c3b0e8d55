import { joseTokenVerifier } from '../adapters/auth/jose-token-verifier.js';
import { FernetSecretCipher } from '../adapters/crypto/fernet-secret-cipher.js';
import { UnsupportedMailSender } from '../adapters/gateways/smtp/unsupported-mail-sender.js';
import { UnsupportedMailVerifier } from '../adapters/gateways/smtp/unsupported-mail-verifier.js';
import type { HttpSecurity } from '../adapters/http/app.js';
import type { SecretValues } from '../adapters/logging/secret-values.js';
import type { Database } from '../adapters/persistence/database.js';
import type { Logger } from '../application/ports/logger.js';
import type { Adapters } from '../composition.js';
import { type Config, parseConfig } from '../config.js';
import { type RuntimeParts, serviceAdapters, serviceLogger } from './service-adapters.js';

// The start-up the Workers and Deno entries share: web-standard code only (no disk, no SMTP).

/** What an isolate (or a Deno process) keeps between requests: nothing tied to one connection. */
export interface EdgeService {
  readonly config: Config & { readonly databaseUrl: string };
  readonly cipher: FernetSecretCipher;
  readonly logger: Logger;
  readonly secrets: SecretValues;
  readonly mailVerifier: UnsupportedMailVerifier;
  readonly mailSender: UnsupportedMailSender;
  readonly verifyBearer: HttpSecurity['verifyBearer'];
}

export type EdgeStart = { ok: true; service: EdgeService } | { ok: false; problems: string[] };

/**
 * Parses the configuration and opens the keyring, naming every problem at once. Edge runtimes have no
 * disk for the embedded database or a development key, so DATABASE_URL and ENCRYPTION_KEY are required.
 */
export async function startEdgeService(
  variables: Readonly<Record<string, string | undefined>>,
  runtime: string,
  write: (line: string) => void,
): Promise<EdgeStart> {
  const parsed = parseConfig(variables);
  if (!parsed.ok) return parsed;
  const { config } = parsed;
  const problems: string[] = [];
  if (config.databaseUrl === null) {
    problems.push(`DATABASE_URL is required on ${runtime} (on Workers, the HYPERDRIVE binding provides it)`);
  }
  let cipher: FernetSecretCipher | null = null;
  if (config.encryptionKey === null) {
    problems.push(`ENCRYPTION_KEY is required on ${runtime} (generate one with npm run generate-key)`);
  } else {
    cipher = await FernetSecretCipher.fromKeyList(config.encryptionKey).catch((error: Error) => {
      problems.push(`ENCRYPTION_KEY: ${error.message}`);
      return null;
    });
  }
  if (config.databaseUrl === null || cipher === null) return { ok: false, problems };
  const { logger, secrets } = serviceLogger(config, write);
  return {
    ok: true,
    service: {
      config: { ...config, databaseUrl: config.databaseUrl },
      cipher,
      logger,
      secrets,
      mailVerifier: new UnsupportedMailVerifier(runtime),
      mailSender: new UnsupportedMailSender(runtime),
      verifyBearer: config.jwt === null ? null : joseTokenVerifier(config.jwt),
    },
  };
}

export const invalidConfiguration = (problems: readonly string[]) =>
  `Invalid configuration: ${problems.join('; ')}`;

/** Every adapter on `db`; SMTP checks answer 501 (see UnsupportedMailVerifier). */
export function edgeAdapters(
  service: EdgeService,
  db: Database,
  parts: Pick<RuntimeParts, 'rateLimitStore' | 'staticAssets'>,
): Adapters {
  const { cipher, logger, secrets, mailVerifier, mailSender } = service;
  return serviceAdapters(service.config, db, { cipher, logger, secrets, mailVerifier, mailSender, ...parts });
}

export function edgeSecurity(
  service: EdgeService,
  socketAddress: HttpSecurity['socketAddress'],
): HttpSecurity {
  const { config } = service;
  return {
    verifyBearer: service.verifyBearer,
    corsOrigins: config.corsOrigins,
    rateLimits: config.rateLimits,
    socketAddress,
    clientAddressHeader: config.clientAddressHeader,
  };
}
