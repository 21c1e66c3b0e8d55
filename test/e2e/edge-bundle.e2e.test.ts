import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

it('bundles the Worker with wrangler deploy --dry-run, free of Node-only modules and under 1 MiB gzip', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/check-edge-bundle.ts'], {
    cwd: root,
    encoding: 'utf8',
  });

  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  const [, raw, gzip] = run.stdout.match(/Workers bundle: ([\d.]+) KiB raw, ([\d.]+) KiB gzip/) ?? [];
  console.log(run.stdout.trim());
  expect(Number(raw)).toBeGreaterThan(Number(gzip));
  expect(Number(gzip)).toBeLessThan(1024);
}, 60_000);
