import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SWAGGER_UI_FILES } from '../src/adapters/http/web/asset-paths.js';

// Lays out what the Node server serves under /assets (public/ and Swagger UI's two files) as a folder
// for Workers static assets; wrangler runs it before every dev, deploy and dry run ([build] command).
// Files already up to date are left alone, so a running `wrangler dev` never sees one half written.
const root = fileURLToPath(new URL('..', import.meta.url));
const target = join(root, '.edge-assets', 'assets');
const swaggerUi = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

async function place(source: string, destination: string): Promise<void> {
  const content = await readFile(source);
  const current = await readFile(destination).catch(() => null);
  if (current?.equals(content)) return;
  await mkdir(dirname(destination), { recursive: true });
  await writeFile(destination, content);
}

for (const entry of await readdir(join(root, 'public'), { recursive: true, withFileTypes: true })) {
  if (!entry.isFile()) continue;
  const relative = join(entry.parentPath, entry.name).slice(join(root, 'public').length);
  await place(join(root, 'public', relative), join(target, relative));
}
for (const file of SWAGGER_UI_FILES) await place(join(swaggerUi, file), join(target, 'swagger-ui', file));
