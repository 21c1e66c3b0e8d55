import { type AddressInfo, connect, createServer, type Socket } from 'node:net';

/** How a cut proxy treats connections: refused (reset at once) or black-holed (accepted, never answered). */
export type Outage = 'refuse' | 'blackhole';

export interface TcpProxy {
  readonly port: number;
  /** Drops every open connection and treats new ones as `outage` says. */
  cut(outage: Outage): void;
  /** Forwards new connections again. */
  restore(): void;
  close(): Promise<void>;
}

/** A TCP proxy on 127.0.0.1 in front of `target`, which a test can cut and restore like a network failure. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let outage: Outage | null = null;
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = createServer((client) => {
    track(client);
    if (outage === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    if (outage === 'blackhole') return;
    const upstream = connect(target.port, target.host);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const dropAll = () => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    port: (server.address() as AddressInfo).port,
    cut(next) {
      outage = next;
      dropAll();
    },
    restore() {
      outage = null;
      dropAll();
    },
    close: () => {
      dropAll();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
