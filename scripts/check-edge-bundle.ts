import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { edgeBundleViolations, type Metafile } from './edge-bundle-rules.js';

// Bundles the Worker as `wrangler deploy` would (without uploading), fails when a Node-only module got
// into it, and prints its size. `npm run check:edge`; the test suite runs it too.
const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = join(root, '.edge-dist');
mkdirSync(outdir, { recursive: true });

const wrangler = spawnSync(
  process.execPath,
  [
    join(root, 'node_modules/wrangler/bin/wrangler.js'),
    'deploy',
    '--dry-run',
    '--outdir',
    outdir,
    '--metafile',
    join(outdir, 'meta.json'),
  ],
  {
    cwd: root,
    encoding: 'utf8',
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: 'false',
      XDG_CONFIG_HOME: join(root, '.wrangler-home'),
      CI: 'true',
    },
  },
);
if (wrangler.status !== 0) {
  process.stderr.write(`${wrangler.stdout}${wrangler.stderr}`);
  process.stderr.write('wrangler deploy --dry-run failed\n');
  process.exit(1);
}

const violations = edgeBundleViolations(
  JSON.parse(readFileSync(join(outdir, 'meta.json'), 'utf8')) as Metafile,
);
if (violations.length > 0) {
  process.stderr.write(
    `The Workers bundle must not contain Node-only code (keep it in src/runtime/node*.ts and Node-only adapters):\n${violations.map((line) => `  ${line}`).join('\n')}\n`,
  );
  process.exit(1);
}

const bundle = readFileSync(join(outdir, 'worker.js'));
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
console.log(
  `Workers bundle: ${kib(bundle.length)} raw, ${kib(gzipSync(bundle).length)} gzip; no Node-only module in it.`,
);
