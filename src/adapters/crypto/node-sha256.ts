import { createHash } from 'node:crypto';
import type { Sha256Hex } from '../../application/ports/sha256.js';

/** On node:crypto: computed at once, where Web Crypto queues a job to the thread pool and back. */
export const nodeSha256Hex: Sha256Hex = async (text) => createHash('sha256').update(text).digest('hex');
