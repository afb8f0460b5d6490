// The health-check responder HAProxy asks before it sends traffic to a Galera node: HTTP 200 while
// the node is Synced (wsrep_local_state = 4) and ready, 503 otherwise (joining, donating, cut off from
// the primary component, shutting down, unreachable). One process may answer for several nodes:
// GALERA_CHECKS="9200=mysql://root@node1:3306,9201=mysql://root@node2:3306" (listen port = node URL).
import { createServer } from 'node:http';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';

const SYNCED = '4';
const QUERY_TIMEOUT_MS = 800;

/** One node's check: a connection kept between checks, opened again after any failure. */
class NodeCheck {
  private conn: Promise<Connection> | undefined;

  constructor(private readonly url: string) {}

  /** Whether the node is Synced and ready, and a line saying what was seen. */
  async synced(): Promise<{ ok: boolean; detail: string }> {
    try {
      this.conn ??= createConnection({ uri: this.url, connectTimeout: QUERY_TIMEOUT_MS });
      const conn = await this.conn;
      const [rows] = await conn.query<RowDataPacket[]>({
        sql: "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_state', 'wsrep_ready')",
        timeout: QUERY_TIMEOUT_MS,
      });
      const status = new Map(rows.map((r) => [String(r.Variable_name), String(r.Value)]));
      const state = status.get('wsrep_local_state') ?? 'none';
      const ready = status.get('wsrep_ready') ?? 'OFF';
      return { ok: state === SYNCED && ready === 'ON', detail: `wsrep_local_state=${state} wsrep_ready=${ready}` };
    } catch (err) {
      const conn = this.conn;
      this.conn = undefined;
      conn?.then((c) => c.destroy()).catch(() => undefined);
      return { ok: false, detail: `unreachable: ${(err as Error).message}` };
    }
  }
}

function serve(port: number, check: NodeCheck): void {
  createServer((_req, res) => {
    void check.synced().then(({ ok, detail }) => {
      res.writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain', Connection: 'close' });
      res.end(`${detail}\n`);
    });
  }).listen(port, () => process.stdout.write(`galera check listening on ${port}\n`));
}

const targets = (process.env.GALERA_CHECKS ?? '').split(',').filter(Boolean);
if (targets.length === 0) throw new Error('GALERA_CHECKS is empty: give port=mysql://user@host:port pairs');
for (const target of targets) {
  const at = target.indexOf('=');
  serve(Number(target.slice(0, at)), new NodeCheck(target.slice(at + 1)));
}
