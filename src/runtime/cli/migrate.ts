import { migrateDatabase } from '../../adapters/persistence/migrate.js';
import { loadConfig, openConfiguredDatabase } from '../node-start.js';

const { handle, description } = await openConfiguredDatabase(loadConfig());
try {
  await migrateDatabase(handle);
  process.stdout.write(`Migrations applied to ${description}\n`);
} finally {
  await handle.close();
}
