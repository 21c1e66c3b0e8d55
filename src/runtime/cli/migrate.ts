import { migrateDatabase } from '../../adapters/persistence/migrate.js';
import { parseConfig } from '../../config.js';
import { openConfiguredDatabase } from '../node-database.js';

const parsed = parseConfig(process.env);
if (!parsed.ok) {
  process.stderr.write(`Invalid configuration: ${parsed.problems.join('; ')}\n`);
  process.exit(1);
}
const { handle, description } = await openConfiguredDatabase(parsed.config);
try {
  await migrateDatabase(handle);
  process.stdout.write(`Migrations applied to ${description}\n`);
} finally {
  await handle.close();
}
