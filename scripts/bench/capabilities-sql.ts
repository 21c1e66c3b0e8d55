import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { DrizzleIntegrationRepository } from '../../src/adapters/persistence/drizzle-integration-repository.js';
import { systemClock } from '../../src/application/ports/clock.js';
import { getAllCapabilities } from '../../src/application/use-cases/get-capabilities.js';
import { ok } from '../../src/domain/result.js';

/**
 * The statements GET /capabilities sends for one user, captured from the service's own use case and
 * repository on postgres.js, so pgbench runs exactly what the service runs.
 */
export async function capabilitiesStatements(url: string, userId: string): Promise<string[]> {
  const statements: string[] = [];
  const client = postgres(url, {
    max: 1,
    onnotice: () => {},
    debug: (_connection, query) => statements.push(query),
  });
  try {
    // The connection's own set-up queries (postgres.js reads the array types once) are not the route's.
    await client`select 1`;
    statements.length = 0;
    await getAllCapabilities({
      repository: new DrizzleIntegrationRepository(drizzle(client)),
      clock: systemClock,
      // Which runtime checks SMTP changes no statement; the Node service's verifier is never called here.
      mailVerifier: { verify: async () => ok(undefined) },
    })(userId);
  } finally {
    await client.end();
  }
  return statements;
}

/** A pgbench script running `statement` (one `$1`, the user id) for a random user 1…users. */
export function pgbenchScript(statement: string, users: number): string {
  if (!/\$1\b/.test(statement) || /\$2\b/.test(statement)) {
    throw new Error(`Expected exactly one parameter (the user id) in: ${statement}`);
  }
  return `\\set uid random(1, ${users})\n${statement.replace(/\$1\b/g, ':uid')};\n`;
}
