import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const REPOSITORY = fileURLToPath(new URL('../../', import.meta.url));
const CONSUMERS = join(REPOSITORY, 'test/fixtures/typed-client-consumers');
const TSC = join(REPOSITORY, 'node_modules/typescript/bin/tsc');

/** The README's TypeScript example, exactly as printed there. */
function readmeExample(): string {
  const example = /```ts\n([\s\S]*?)```/.exec(readFileSync(join(REPOSITORY, 'README.md'), 'utf8'))?.[1];
  if (example === undefined) throw new Error('README.md has no ```ts example');
  return example;
}

const projects: string[] = [];
afterAll(() => {
  for (const project of projects) rmSync(project, { recursive: true, force: true });
});

/**
 * A frontend project with this repository installed as a dependency (what `npm install <path>` makes: a
 * symlink), its own tsconfig, the README's example and the fixtures' type checks.
 */
function consumerProject(name: string): string {
  const project = mkdtempSync(join(tmpdir(), `typed-client-${name}-`));
  projects.push(project);
  cpSync(join(CONSUMERS, name), project, { recursive: true });
  cpSync(join(CONSUMERS, 'type-checks.ts'), join(project, 'type-checks.ts'));
  writeFileSync(join(project, 'readme-example.ts'), readmeExample());
  mkdirSync(join(project, 'node_modules'));
  symlinkSync(REPOSITORY, join(project, 'node_modules/social-integrations'), 'dir');
  symlinkSync(join(REPOSITORY, 'node_modules/hono'), join(project, 'node_modules/hono'), 'dir');
  return project;
}

async function typeCheck(project: string): Promise<{ errors: string; files: string[] }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [TSC, '-p', project, '--listFiles']);
    return { errors: '', files: stdout.split('\n').filter(Boolean) };
  } catch (error) {
    return { errors: String((error as { stdout?: string }).stdout ?? error), files: [] };
  }
}

describe('AppType in a frontend project', () => {
  it.each([
    ['react-jsx', 'a React-style tsconfig (jsx: react-jsx)'],
    ['no-jsx', 'a tsconfig without any jsx setting'],
  ])(
    'type-checks in %s, %s, without the service’s pages',
    async (name) => {
      const { errors, files } = await typeCheck(consumerProject(name));

      expect(errors).toBe('');
      expect(files).toContainEqual(expect.stringMatching(/readme-example\.ts$/));
      expect(files).toContainEqual(expect.stringMatching(/\/src\/client\.ts$/));
      expect(files.filter((file) => file.endsWith('.tsx'))).toEqual([]);
    },
    60_000,
  );
});
