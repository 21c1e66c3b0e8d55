import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import type { MiddlewareHandler } from 'hono';
import { ASSETS_PATH, SWAGGER_UI_FILES } from '../adapters/http/web/asset-paths.js';

// Two levels up from both src/runtime and dist/runtime.
const publicDirectory = fileURLToPath(new URL('../../public/', import.meta.url));
const swaggerUiDirectory = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const swaggerUiPrefix = `${ASSETS_PATH}/swagger-ui/`;

const publicFiles = serveStatic({
  root: publicDirectory,
  rewriteRequestPath: (path) => path.slice(ASSETS_PATH.length),
});

const swaggerUiFiles: Readonly<Record<string, MiddlewareHandler>> = Object.fromEntries(
  SWAGGER_UI_FILES.map((file) => [
    `${swaggerUiPrefix}${file}`,
    serveStatic({ path: join(swaggerUiDirectory, file) }),
  ]),
);

/** `/assets/*` from the repository's `public/` folder, plus Swagger UI's two files from node_modules. */
export const nodeStaticAssets: MiddlewareHandler = (c, next) => {
  const serve = c.req.path.startsWith(swaggerUiPrefix) ? swaggerUiFiles[c.req.path] : publicFiles;
  return serve === undefined ? next() : serve(c, next);
};
