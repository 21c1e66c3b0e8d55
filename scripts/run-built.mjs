// `node scripts/run-built.mjs runtime/node.js [args]`: how npm start and the commands run the compiled
// service. It compiles src/ into dist/ first only when a source is newer than its output, so a start
// after `npm run build` takes no compile and a production install (no TypeScript) runs dist/ as built.
// Plain JavaScript in this process, so signals reach the service (npm's script shell passes none on).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const sourceDirectory = join(root, 'src');
const outputDirectory = join(root, 'dist');

/**
 * The first source file (relative to the repository) without an output at least as new, or null.
 * @param {string} directory
 * @returns {string | null}
 */
function outdatedSource(directory) {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      const outdated = outdatedSource(path);
      if (outdated !== null) return outdated;
    } else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      const output = join(outputDirectory, relative(sourceDirectory, path)).replace(/\.tsx?$/, '.js');
      if (!existsSync(output) || statSync(output).mtimeMs < statSync(path).mtimeMs) {
        return relative(root, path);
      }
    }
  }
  return null;
}

/**
 * @param {string} line
 * @returns {never}
 */
function stop(line) {
  process.stderr.write(`${line}\n`);
  process.exit(1);
}

const [entry] = process.argv.splice(2, 1);
if (entry === undefined) stop('Usage: node scripts/run-built.mjs <entry under dist/, e.g. runtime/node.js>');
const outdated = outdatedSource(sourceDirectory);
if (outdated !== null) {
  if (!existsSync(join(root, 'node_modules', '.bin', 'tsc'))) {
    stop(
      `dist/ is older than ${outdated} and TypeScript is not installed (a production install): ` +
        'run npm run build with the development dependencies, then npm prune --omit=dev.',
    );
  }
  // On stderr, so that ENCRYPTION_KEY=$(npm run -s generate-key) captures the key alone.
  process.stderr.write(`Compiling src/ into dist/ (${outdated} is newer than its output)\n`);
  try {
    execFileSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: ['ignore', 2, 2] });
  } catch {
    stop('npm run build failed (its errors are above)');
  }
}
const script = join(outputDirectory, entry);
if (!existsSync(script)) stop(`dist/${entry} does not exist`);
process.argv[1] = script;
await import(pathToFileURL(script).href);
