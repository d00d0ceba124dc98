/**
 * A TCP relay standing in for the load balancer in front of a cluster: phones
 * connect through it and reach the next node when theirs dies.
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';

/**
 * A TCP relay on a free port: each connection goes to the first backend, in
 * order, that accepts it. Phones connect through it, so a phone whose node died
 * reconnects to the next node, as behind a load balancer.
 */
export class Relay {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;
  /** Connections relayed, by backend port. */
  readonly links = new Map<number, number>();

  constructor(private readonly backends: () => readonly number[]) {}

  async listen(): Promise<void> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no relay port');
    this.port = address.port;
  }

  private accept(client: Socket): void {
    this.sockets.add(client);
    client.once('close', () => this.sockets.delete(client));
    client.on('error', () => client.destroy());
    client.pause();
    const ports = [...this.backends()];
    const tryNext = () => {
      const port = ports.shift();
      if (port === undefined || client.destroyed) {
        client.destroy();
        return;
      }
      const upstream = tcpConnect(port, '127.0.0.1');
      let linked = false;
      upstream.on('error', () => {
        upstream.destroy();
        if (!linked) tryNext();
      });
      upstream.once('connect', () => {
        linked = true;
        this.links.set(port, (this.links.get(port) ?? 0) + 1);
        this.sockets.add(upstream);
        upstream.once('close', () => {
          this.sockets.delete(upstream);
          client.destroy();
        });
        client.once('close', () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    tryNext();
  }

  /** Cuts every open connection (both sides); new ones still go to `backends()`. */
  dropAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
