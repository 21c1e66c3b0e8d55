import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateFernetKey } from '../adapters/crypto/fernet.js';

/**
 * The key used when ENCRYPTION_KEY is unset outside production: made once, then kept in `dataDir`
 * (readable by the owner only) so restarts can still open what was stored.
 */
export async function loadOrCreateDevelopmentKey(
  dataDir: string,
): Promise<{ key: string; path: string; created: boolean }> {
  const path = join(dataDir, 'encryption.key');
  try {
    return { key: (await readFile(path, 'utf8')).trim(), path, created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const key = generateFernetKey();
  await writeFile(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return { key, path, created: true };
}
