import { parseArgs } from 'node:util';
import type { RotationCounts } from '../../application/use-cases/rotate-secrets.js';
import { startNode, stop } from '../node-start.js';

// Re-encrypts every stored secret with ENCRYPTION_KEY's first key. Safe while servers run; rerun it
// after an interruption and it finishes the rest.
const { values } = parseArgs({ options: { 'batch-size': { type: 'string', default: '500' } } });
const batchSize = Number(values['batch-size']);
if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
  stop('--batch-size must be a whole number from 1 to 10000');
}

const print = (line: string) => process.stdout.write(`${line}\n`);
const describe = (counts: RotationCounts) =>
  `${counts.rows} rows read, ${counts.resealed} secrets re-encrypted, ${counts.current} already current, ` +
  `${counts.unreadable} unreadable, ${counts.unsettled} kept changing`;

const startedAt = performance.now();
// Progress goes to stdout as plain lines; log lines (a development-key warning) go to stderr. Unreadable
// secrets are counted below rather than refused at start-up.
const { handle, description, jobs } = await startNode((line) => process.stderr.write(`${line}\n`), {
  checkKeys: false,
});
try {
  print(`Re-encrypting every stored secret in ${description} with the first key, ${batchSize} rows a batch.`);
  const report = await jobs.rotateSecrets({
    batchSize,
    onProgress: (progress) => print(`${progress.table}: ${describe(progress)}`),
  });
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  print(`Done in ${seconds} s: ${describe(report.total)}.`);
  if (report.complete) {
    print('Every secret opens with the first key: older keys can now be removed from ENCRYPTION_KEY.');
  } else {
    print(
      'Keep the older keys: some secrets are not on the first key yet. Unreadable ones need a key that ' +
        'ENCRYPTION_KEY lacks (or their integrations reconnecting); for ones that kept changing, run this again.',
    );
    process.exitCode = 1;
  }
} finally {
  await handle.close();
}
