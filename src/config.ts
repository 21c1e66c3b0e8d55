import { z } from 'zod';
import { LOG_LEVELS } from './adapters/logging/json-logger.js';

const unsetWhenEmpty = (value: unknown) => (value === '' ? undefined : value);

const flag = z.preprocess(
  unsetWhenEmpty,
  z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .default('false')
    .transform((value) => value === 'true' || value === '1'),
);

const EnvironmentSchema = z
  .object({
    NODE_ENV: z.preprocess(
      unsetWhenEmpty,
      z.enum(['development', 'test', 'production']).default('development'),
    ),
    PORT: z.preprocess(
      unsetWhenEmpty,
      z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65535).default(8000),
    ),
    HOST: z.preprocess(unsetWhenEmpty, z.string().default('0.0.0.0')),
    DATABASE_URL: z.preprocess(
      unsetWhenEmpty,
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
        .optional(),
    ),
    DATA_DIR: z.preprocess(unsetWhenEmpty, z.string().default('./.data')),
    ENCRYPTION_KEY: z.preprocess(unsetWhenEmpty, z.string().optional()),
    SMTP_ALLOW_PRIVATE_HOSTS: flag,
    OUTBOUND_TIMEOUT_MS: z.preprocess(
      unsetWhenEmpty,
      z.coerce
        .number()
        .int()
        .min(100, 'must be at least 100')
        .max(120_000, 'must be at most 120000')
        .default(10_000),
    ),
    LOG_LEVEL: z.preprocess(unsetWhenEmpty, z.enum(LOG_LEVELS).default('info')),
  })
  // `when` lets this run alongside other problems, so all of them are reported at once.
  .refine((env) => env.NODE_ENV !== 'production' || env.ENCRYPTION_KEY !== undefined, {
    path: ['ENCRYPTION_KEY'],
    message: 'is required when NODE_ENV=production (generate one with npm run generate-key)',
    when: (payload) => payload.value !== null && typeof payload.value === 'object',
  });

export interface Config {
  readonly environment: 'development' | 'test' | 'production';
  readonly port: number;
  readonly host: string;
  /** Null means the embedded PGlite database in `dataDir`. */
  readonly databaseUrl: string | null;
  readonly dataDir: string;
  /** Comma-separated Fernet keys; null in development means a generated key kept in `dataDir`. */
  readonly encryptionKey: string | null;
  readonly smtpAllowPrivateHosts: boolean;
  readonly outboundTimeoutMs: number;
  readonly logLevel: (typeof LOG_LEVELS)[number];
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

/** Reads the service's settings from environment-style variables, naming every problem at once. */
export function parseConfig(environment: Readonly<Record<string, string | undefined>>): ConfigResult {
  const parsed = EnvironmentSchema.safeParse(environment);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`),
    };
  }
  const env = parsed.data;
  return {
    ok: true,
    config: {
      environment: env.NODE_ENV,
      port: env.PORT,
      host: env.HOST,
      databaseUrl: env.DATABASE_URL ?? null,
      dataDir: env.DATA_DIR,
      encryptionKey: env.ENCRYPTION_KEY ?? null,
      smtpAllowPrivateHosts: env.SMTP_ALLOW_PRIVATE_HOSTS,
      outboundTimeoutMs: env.OUTBOUND_TIMEOUT_MS,
      logLevel: env.LOG_LEVEL,
    },
  };
}
