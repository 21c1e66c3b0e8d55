import { createServer } from 'node:net';
import { portInUse } from '../src/runtime/collisions.js';
import { stop } from '../src/runtime/node-start.js';

/** Stops the demo with one line, naming the setting to change, when another process holds `port`. */
export async function refuseTakenPort(port: number, setting: string): Promise<void> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(port, '127.0.0.1', resolve);
  }).catch((error: NodeJS.ErrnoException) =>
    error.code === 'EADDRINUSE' ? stop(portInUse('127.0.0.1', port, setting)) : Promise.reject(error),
  );
  await new Promise((resolve) => probe.close(resolve));
}
