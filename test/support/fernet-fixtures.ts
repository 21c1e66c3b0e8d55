import { readFileSync } from 'node:fs';

/** A JSON file from test/fixtures/fernet/ (see its README for where each came from). */
export const readFernetFixture = <T>(path: string): T =>
  JSON.parse(readFileSync(new URL(`../fixtures/fernet/${path}`, import.meta.url), 'utf8')) as T;
