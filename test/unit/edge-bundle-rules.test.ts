import { describe, expect, it } from 'vitest';
import { edgeBundleViolations } from '../../scripts/edge-bundle-rules.js';

const input = (...imports: string[]) => ({ imports: imports.map((path) => ({ path })) });

describe('the edge bundle rules', () => {
  it('let libraries use the node: modules nodejs_compat provides', () => {
    expect(
      edgeBundleViolations({
        inputs: {
          'node_modules/postgres/cf/polyfills.js': input('node:events', 'node:buffer', 'cloudflare:sockets'),
          'src/runtime/worker.ts': input('node_modules/postgres/cf/src/index.js'),
        },
      }),
    ).toEqual([]);
  });

  it('name our files importing a Node module, with or without the node: prefix', () => {
    expect(
      edgeBundleViolations({
        inputs: {
          'src/adapters/gateways/smtp/nodemailer-mail-verifier.ts': input('node:dns/promises'),
          'src/runtime/edge-start.ts': { imports: [{ path: 'node:fs', original: 'fs' }] },
        },
      }),
    ).toEqual([
      'src/adapters/gateways/smtp/nodemailer-mail-verifier.ts imports node:dns/promises',
      'src/runtime/edge-start.ts imports fs',
    ]);
  });

  it('name each Node-only package once', () => {
    expect(
      edgeBundleViolations({
        inputs: {
          'node_modules/nodemailer/dist/esm/index.js': input(),
          'node_modules/nodemailer/dist/esm/errors.js': input(),
          'node_modules/@electric-sql/pglite/dist/index.js': input(),
        },
      }),
    ).toEqual(['nodemailer runs on Node only', '@electric-sql/pglite runs on Node only']);
  });
});
