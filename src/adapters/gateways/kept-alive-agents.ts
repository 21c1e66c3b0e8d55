import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { LookupFunction } from 'node:net';

// Below the 5 s a Node server keeps an idle connection open, so a reused socket was not just closed.
const IDLE_SOCKET_MS = 4_000;

/** node:http and node:https agents that keep connections for the next request, resolving with `lookup`. */
export function keptAliveAgents(lookup?: LookupFunction): { http: HttpAgent; https: HttpsAgent } {
  const options = { keepAlive: true, timeout: IDLE_SOCKET_MS, ...(lookup === undefined ? {} : { lookup }) };
  return { http: new HttpAgent(options), https: new HttpsAgent(options) };
}
