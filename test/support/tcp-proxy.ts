// A TCP proxy the test controls, to cut a process off from MariaDB or Redis without touching the
// server, or to drop a connection right after a given command reached the server (its answer lost).
import { createServer, connect, type Server, type Socket } from 'node:net';

export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private refusing = false;
  private trap: { pattern: string; left: number } | undefined;
  /** How many connections `cutAfter` dropped. */
  trapped = 0;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(port = 0): Promise<number> {
    this.server = createServer((client) => {
      if (this.refusing) {
        client.destroy();
        return;
      }
      const upstream = connect(this.targetPort, this.targetHost);
      this.sockets.add(client);
      this.sockets.add(upstream);
      let ending = false;
      const drop = () => {
        client.destroy();
        // A trapped connection's upstream closes by itself once the server has read all it was sent.
        if (!ending) upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.on('data', (chunk: Buffer) => {
        const trap = this.trap;
        if (trap && trap.left > 0 && chunk.toString('latin1').toLowerCase().includes(trap.pattern)) {
          trap.left--;
          this.trapped++;
          // The server gets the bytes (and runs them); the client never hears back.
          ending = true;
          upstream.unpipe(client);
          upstream.end(chunk);
          setTimeout(() => upstream.destroy(), 2_000).unref();
          client.destroy();
          return;
        }
        if (!upstream.write(chunk)) client.pause();
      });
      upstream.on('drain', () => client.resume());
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    return this.port;
  }

  /** Cuts every open connection and refuses new ones until `restore`. */
  cut(): void {
    this.refusing = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  /**
   * For the next `times` chunks a client sends that contain `pattern` (any case): forward the chunk, then drop
   * that connection before the server's answer comes back.
   */
  cutAfter(pattern: string, times: number): void {
    this.trap = { pattern: pattern.toLowerCase(), left: times };
  }

  restore(): void {
    this.refusing = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
