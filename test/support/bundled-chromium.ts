import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The Chromium that the @sparticuz/chromium package ships compressed, unpacked once per version under
 * node_modules/.cache/. The package unpacks into os.tmpdir() and trusts any `chromium` already there, so
 * it runs in a child whose TMPDIR is a directory of its own, which is renamed into place when complete:
 * test files launching at once, or a stale /tmp/chromium of another version, cannot hand out a broken one.
 */
export async function bundledChromium(): Promise<string> {
  const packageFile = join(ROOT, 'node_modules', '@sparticuz', 'chromium', 'package.json');
  const { version } = JSON.parse(readFileSync(packageFile, 'utf8')) as {
    version: string;
  };
  const target = join(ROOT, 'node_modules', '.cache', `sparticuz-chromium-${version}`);
  const executable = join(target, 'chromium');
  if (existsSync(executable)) return executable;

  const partial = `${target}.partial-${randomBytes(4).toString('hex')}`;
  mkdirSync(partial, { recursive: true });
  try {
    await promisify(execFile)(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const { default: chromium } = await import('@sparticuz/chromium'); await chromium.executablePath();",
      ],
      { cwd: ROOT, env: { ...process.env, TMPDIR: partial } },
    );
    renameSync(partial, target);
  } catch (error) {
    // Another test file finished unpacking first: use its copy.
    if (!existsSync(executable)) throw error;
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  return executable;
}
