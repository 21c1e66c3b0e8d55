import { cp, mkdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SWAGGER_UI_FILES } from '../src/adapters/http/web/asset-paths.js';

// Lays out what the Node server serves under /assets (public/ and Swagger UI's two files) as a folder
// for Workers static assets; wrangler runs it before every dev, deploy and dry run ([build] command).
const root = fileURLToPath(new URL('..', import.meta.url));
const target = join(root, '.edge-assets', 'assets');
const swaggerUi = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

await rm(join(root, '.edge-assets'), { recursive: true, force: true });
await cp(join(root, 'public'), target, { recursive: true });
await mkdir(join(target, 'swagger-ui'));
for (const file of SWAGGER_UI_FILES) await cp(join(swaggerUi, file), join(target, 'swagger-ui', file));
