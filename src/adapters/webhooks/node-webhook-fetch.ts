import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { keptAliveAgents } from '../gateways/kept-alive-agents.js';
import { allowedAddress, canonicalHost, systemResolve } from '../gateways/network-address-policy.js';
import { HOST_NOT_ALLOWED } from './standard-webhook-sender.js';

export interface NodeWebhookFetchOptions {
  /** WEBHOOK_ALLOW_PRIVATE_HOSTS: connect to loopback and private addresses too. */
  readonly allowPrivateHosts: boolean;
  /** Name to addresses; the system resolver (/etc/hosts counts) unless a test says otherwise. */
  readonly resolve?: (host: string) => Promise<string[]>;
}

const refused = (hostname: string) =>
  Object.assign(new Error(`${hostname} is not an allowed webhook host`), { code: HOST_NOT_ALLOWED });

/**
 * The subset of `fetch` the webhook sender uses, over node:http with keep-alive agents, that applies the
 * endpoint address policy at connection time: a name is resolved when a connection is opened, and the
 * connection goes to the address that passed (so a name cannot pass and then rebind elsewhere). Every
 * address must be public unicast unless `allowPrivateHosts`; a refusal fails with {@link HOST_NOT_ALLOWED}.
 * Redirects are never followed; the response body is drained and dropped.
 */
export function nodeWebhookFetch(options: NodeWebhookFetchOptions): typeof fetch {
  const resolve = options.resolve ?? systemResolve;
  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    const host = canonicalHost(hostname);
    const checked = host === null ? Promise.resolve(null) : allowedAddress(host, { ...options, resolve });
    const answer = (address: string | null): void => {
      if (address === null) callback(refused(hostname), '', 0);
      // With autoSelectFamily (Node's default) net asks for every address at once.
      else if (lookupOptions.all) {
        (callback as unknown as (e: null, all: { address: string; family: number }[]) => void)(null, [
          { address, family: isIP(address) },
        ]);
      } else callback(null, address, isIP(address));
    };
    checked.then(answer, (error: NodeJS.ErrnoException) => callback(error, '', 0));
  };
  // The agents pass `lookup` on to every connection they open.
  const { http, https } = keptAliveAgents(lookup);

  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(String(input));
    const host = canonicalHost(url.hostname);
    // An IP literal is connected to without a lookup, so the policy is applied to it here.
    if (
      host === null ||
      (isIP(host) !== 0 && (await allowedAddress(host, { ...options, resolve })) === null)
    ) {
      throw refused(url.hostname);
    }
    const tls = url.protocol === 'https:';
    const send = tls ? httpsRequest : httpRequest;
    const agent = tls ? https : http;
    const { signal } = init;
    signal?.throwIfAborted();
    return new Promise<Response>((resolveResponse, reject) => {
      const request = send(url, {
        method: init.method ?? 'GET',
        headers: init.headers as Record<string, string>,
        agent,
      });
      const abort = () => {
        request.destroy();
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', abort, { once: true });
      request.once('error', (error) => {
        signal?.removeEventListener('abort', abort);
        reject(error);
      });
      request.once('response', (response: IncomingMessage) => {
        response.resume();
        response.once('end', () => signal?.removeEventListener('abort', abort));
        resolveResponse(new Response(null, { status: response.statusCode ?? 502 }));
      });
      request.end(typeof init.body === 'string' ? init.body : undefined);
    });
  }) as typeof fetch;
}
