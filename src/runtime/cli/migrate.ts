import { migrateDatabase } from '../../adapters/persistence/migrate.js';
import { buildLifecycleJobs } from '../../composition.js';
import { backfillTokenMasks } from '../mask-backfill.js';
import { openConfiguredDatabase } from '../node-database.js';
import { loadCipher, loadConfig, nodeAdapters } from '../node-setup.js';
import { serviceLogger } from '../service-adapters.js';

const config = loadConfig();
const { logger, secrets } = serviceLogger(config, (line) => process.stderr.write(`${line}\n`));
const { handle, description } = await openConfiguredDatabase(config);
try {
  await migrateDatabase(handle);
  process.stdout.write(`Migrations applied to ${description}\n`);
  const cipher = await loadCipher(config, { logger, secrets });
  const masked = await backfillTokenMasks(
    buildLifecycleJobs(nodeAdapters(config, handle, { cipher, logger, secrets })),
  );
  if (masked !== null) process.stdout.write(`${masked}\n`);
} finally {
  await handle.close();
}
