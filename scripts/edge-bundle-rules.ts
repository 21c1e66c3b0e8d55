import { builtinModules } from 'node:module';

/** The parts of esbuild's metafile the rules read. */
export interface Metafile {
  readonly inputs: Readonly<
    Record<string, { readonly imports: readonly { readonly path: string; readonly original?: string }[] }>
  >;
}

/** Packages that run on Node only; the Node composition root and Node-only adapters alone may use them. */
export const NODE_ONLY_PACKAGES = [
  'nodemailer',
  '@hono/node-server',
  '@electric-sql/pglite',
  'smtp-server',
  'swagger-ui-dist',
] as const;

const builtins = new Set(builtinModules);
const isNodeBuiltin = (specifier: string) =>
  specifier.startsWith('node:') || builtins.has(specifier.split('/')[0] ?? '');

const packageOf = (input: string) => input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//)?.[1] ?? null;

/**
 * What the edge bundle must not hold: a Node-only package, or one of our files importing a Node module.
 * Libraries may import the `node:` modules Workers' nodejs_compat provides (postgres.js does).
 */
export function edgeBundleViolations(metafile: Metafile): string[] {
  const violations = new Set<string>();
  for (const [input, { imports }] of Object.entries(metafile.inputs)) {
    const pkg = packageOf(input);
    if (pkg !== null) {
      if ((NODE_ONLY_PACKAGES as readonly string[]).includes(pkg)) violations.add(`${pkg} runs on Node only`);
      continue;
    }
    for (const { path, original } of imports) {
      const specifier = original ?? path;
      if (isNodeBuiltin(specifier)) violations.add(`${input} imports ${specifier}`);
    }
  }
  return [...violations];
}
