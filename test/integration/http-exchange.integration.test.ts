import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AnswerTooLarge,
  fetchExchange,
  type HttpExchange,
  MOST_ANSWER_BYTES,
} from '../../src/adapters/gateways/http-client.js';
import { nodeHttpExchange } from '../../src/adapters/gateways/node-http-exchange.js';

// Both exchanges answer alike, so a gateway behaves the same on Node (node:http) and on Workers and Deno
// (fetch); the gateway tests cover the rest through the Node one.

const TIMEOUT_MS = 300;

let server: Server;
let baseUrl: string;
let connections = 0;

beforeAll(async () => {
  server = createServer((request, response) => {
    const path = request.url ?? '/';
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      if (path === '/echo') {
        response.writeHead(201, { 'content-type': 'application/json', 'x-usage': '{"a":1}' });
        response.end(JSON.stringify({ method: request.method, headers: request.headers, body }));
      } else if (path === '/redirect') {
        response.writeHead(302, { location: 'http://127.0.0.1:9/elsewhere' }).end();
      } else if (path === '/slow-body') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{"partial":');
      } else if (path === '/large-declared') {
        response.writeHead(200, { 'content-length': String(MOST_ANSWER_BYTES + 1) });
        response.write('x');
      } else if (path === '/large-streamed') {
        response.writeHead(200, { 'content-type': 'application/json' });
        const chunk = 'y'.repeat(64 * 1024);
        for (let sent = 0; sent <= MOST_ANSWER_BYTES; sent += chunk.length) response.write(chunk);
        response.end();
      } else if (path === '/exactly-the-most') {
        response.writeHead(200).end('z'.repeat(MOST_ANSWER_BYTES));
      }
      // '/hang' never answers.
    });
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const url = (path: string) => new URL(`${baseUrl}${path}`);

describe.each<[string, HttpExchange]>([
  ['fetch', fetchExchange(fetch)],
  ['node:http', nodeHttpExchange()],
])('the %s exchange', (_name, exchange) => {
  it('sends the method, headers and body, and reads the status, headers and text', async () => {
    const answer = await exchange(
      url('/echo'),
      {
        method: 'POST',
        headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
        body: '{"é":1}',
      },
      TIMEOUT_MS,
    );

    expect(answer.status).toBe(201);
    expect(answer.header('x-usage')).toBe('{"a":1}');
    expect(answer.header('x-absent')).toBeNull();
    const echoed = JSON.parse(answer.text);
    expect(echoed).toMatchObject({ method: 'POST', body: '{"é":1}' });
    expect(echoed.headers).toMatchObject({
      authorization: 'Bearer t',
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength('{"é":1}')),
    });
  });

  it('keeps the connection for the next request', async () => {
    await exchange(url('/echo'), {}, TIMEOUT_MS);
    const before = connections;

    for (let request = 0; request < 3; request += 1) await exchange(url('/echo'), {}, TIMEOUT_MS);

    expect(connections).toBe(before);
  });

  it('answers a redirect as it came, without following it', async () => {
    const answer = await exchange(url('/redirect'), {}, TIMEOUT_MS);

    expect(answer.status).toBe(302);
    expect(answer.header('location')).toBe('http://127.0.0.1:9/elsewhere');
  });

  it.each(['/hang', '/slow-body'])('gives up on %s after the timeout, body included', async (path) => {
    const started = performance.now();

    await expect(exchange(url(path), {}, TIMEOUT_MS)).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
  });

  it.each(['/large-declared', '/large-streamed'])('refuses the answer of %s', async (path) => {
    await expect(exchange(url(path), {}, 5_000)).rejects.toBeInstanceOf(AnswerTooLarge);
  });

  it('reads an answer of exactly the most it reads', async () => {
    const answer = await exchange(url('/exactly-the-most'), {}, 5_000);

    expect(answer.text.length).toBe(MOST_ANSWER_BYTES);
  });

  it('fails when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));

    const failure = exchange(new URL(`http://127.0.0.1:${port}/`), {}, TIMEOUT_MS);

    await expect(failure).rejects.toBeInstanceOf(Error);
    await expect(failure).rejects.not.toMatchObject({ name: 'TimeoutError' });
  });
});
