import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the fake received it. */
export interface RecordedRequest {
  readonly route: string;
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** Fields of an `application/x-www-form-urlencoded` body (empty otherwise). */
  readonly form: Readonly<Record<string, string>>;
  /** The body as sent. */
  readonly body: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface FakeResponse {
  readonly status: number;
  /** Sent as JSON; undefined sends an empty body. */
  readonly body?: unknown;
  /** Sent instead of a JSON body (a redirect). */
  readonly location?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What a route can be told to do instead of answering normally. */
export type Fault =
  | { readonly kind: 'hang' }
  /** Answers normally, but only after `ms`. */
  | { readonly kind: 'slow'; readonly ms: number }
  | { readonly kind: 'malformed' }
  | { readonly kind: 'answer'; readonly response: FakeResponse };

export interface FakeRoutes<Route extends string> {
  /** Which route a request is for, or null for an unknown one (404). */
  route(method: string, path: string): Route | null;
  respond(route: Route, request: RecordedRequest): FakeResponse;
}

async function readBody(request: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of request) text += chunk;
  return text;
}

/** A real HTTP server on loopback that records every request and can be told to misbehave per route. */
export class FakeHttpServer<Route extends string> {
  readonly requests: RecordedRequest[] = [];
  private readonly faults = new Map<Route, Fault>();

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
  ) {}

  static async start<Route extends string>(routes: FakeRoutes<Route>): Promise<FakeHttpServer<Route>> {
    let fake: FakeHttpServer<Route> | undefined;
    const server = createServer(async (request, response) => {
      const url = new URL(request.url ?? '/', 'http://fake');
      const body = await readBody(request);
      const isForm = request.headers['content-type']?.startsWith('application/x-www-form-urlencoded');
      const route = routes.route(request.method ?? 'GET', url.pathname);
      const recorded: RecordedRequest = {
        route: route ?? 'unknown',
        method: request.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        form: isForm ? Object.fromEntries(new URLSearchParams(body)) : {},
        body,
        headers: request.headers,
      };
      fake?.requests.push(recorded);
      const fault = route === null ? undefined : fake?.faults.get(route);
      if (fault?.kind === 'hang') return;
      if (fault?.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, fault.ms));
      if (fault?.kind === 'malformed') {
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"data": [');
        return;
      }
      const answer =
        fault?.kind === 'answer'
          ? fault.response
          : route === null
            ? { status: 404, body: { error: { message: 'Unknown path', code: 803 } } }
            : routes.respond(route, recorded);
      if (answer.location !== undefined) {
        response.writeHead(answer.status, { location: answer.location }).end();
      } else if (answer.body === undefined) {
        response.writeHead(answer.status).end();
      } else {
        response
          .writeHead(answer.status, { ...answer.headers, 'content-type': 'application/json' })
          .end(JSON.stringify(answer.body));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    fake = new FakeHttpServer<Route>(server, `http://127.0.0.1:${port}`);
    return fake;
  }

  /** Makes `route` misbehave until {@link heal}. */
  fail(route: Route, fault: Fault): void {
    this.faults.set(route, fault);
  }

  heal(): void {
    this.faults.clear();
  }

  requestsTo(route: Route): RecordedRequest[] {
    return this.requests.filter((request) => request.route === route);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
