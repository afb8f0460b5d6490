// Which database errors the engine waits out (503 on the HTTP side, the same batch retried at the
// lane's head) and which it blames on the request. The errors come from this run's real MariaDB where
// one server can produce them; the Galera-only answers are built as mysql2 builds a server's error
// packet (test/cluster/galera-failover.test.ts provokes them on a real cluster).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createConnection, type Connection } from 'mysql2/promise';
import { isInfrastructureError } from '../../src/common/infrastructure-errors.js';

const table = `infra_errors_${randomBytes(3).toString('hex')}`;
const open: Connection[] = [];
const connection = async () => {
  const conn = await createConnection({ uri: inject('databaseUrl') });
  open.push(conn);
  return conn;
};
const caught = async (work: Promise<unknown>): Promise<unknown> =>
  work.then(
    () => undefined,
    (err: unknown) => err,
  );

beforeAll(async () => {
  const conn = await connection();
  await conn.query(`CREATE TABLE ${table} (id INT PRIMARY KEY, v INT NOT NULL, CHECK (v >= 0))`);
  await conn.query(`INSERT INTO ${table} VALUES (1, 0), (2, 0)`);
});

afterAll(async () => {
  await open[0]?.query(`DROP TABLE IF EXISTS ${table}`);
  await Promise.all(open.map((c) => c.end().catch(() => c.destroy())));
});

/** An error as mysql2 makes it from a server's error packet (message, code name, errno, SQL state). */
function serverError(errno: number, code: string | undefined, message: string): Error {
  return Object.assign(new Error(message), {
    errno,
    sqlState: 'HY000',
    sqlMessage: message,
    ...(code ? { code } : {}),
  });
}

describe('infrastructure errors', () => {
  it('when two transactions cross row locks, then the victim of the deadlock (1213, also Galera certification) is waited out', async () => {
    const [a, b] = [await connection(), await connection()];
    await a.query('START TRANSACTION');
    await b.query('START TRANSACTION');
    await a.query(`UPDATE ${table} SET v = v + 1 WHERE id = 1`);
    await b.query(`UPDATE ${table} SET v = v + 1 WHERE id = 2`);
    // InnoDB picks the victim; the other statement then goes through.
    const crossed = await Promise.all([
      caught(a.query(`UPDATE ${table} SET v = v + 1 WHERE id = 2`)),
      caught(b.query(`UPDATE ${table} SET v = v + 1 WHERE id = 1`)),
    ]);
    await Promise.all([a.query('ROLLBACK'), b.query('ROLLBACK')]);
    const err = crossed.find((e) => e !== undefined);
    expect(crossed.filter((e) => e === undefined)).toHaveLength(1);
    expect(err).toMatchObject({ errno: 1213, code: 'ER_LOCK_DEADLOCK' });
    expect(isInfrastructureError(err)).toBe(true);
  });

  it('when the server kills the connection a transaction runs on, then the failed statement is waited out', async () => {
    const [victim, killer] = [await connection(), await connection()];
    await victim.query('START TRANSACTION');
    await victim.query(`UPDATE ${table} SET v = v + 1 WHERE id = 1`);
    await killer.query(`KILL CONNECTION ${victim.threadId}`);
    const err = await caught(victim.query('COMMIT'));
    expect(err).toBeInstanceOf(Error);
    expect(isInfrastructureError(err)).toBe(true);
  });

  it('when a statement breaks a rule of the data (duplicate key, check constraint), then it is the request that failed', async () => {
    const conn = await connection();
    const duplicate = await caught(conn.query(`INSERT INTO ${table} VALUES (1, 0)`));
    const negative = await caught(conn.query(`UPDATE ${table} SET v = -1 WHERE id = 2`));
    expect(duplicate).toMatchObject({ code: 'ER_DUP_ENTRY' });
    expect(negative).toMatchObject({ errno: 4025 });
    expect(isInfrastructureError(duplicate)).toBe(false);
    expect(isInfrastructureError(negative)).toBe(false);
  });

  it('when a Galera node is not ready, shuts down, fails a commit or closes the session, then the error is waited out', () => {
    const galera = [
      serverError(1047, 'ER_UNKNOWN_COM_ERROR', 'WSREP has not yet prepared node for application use'),
      serverError(1053, 'ER_SERVER_SHUTDOWN', 'Server shutdown in progress'),
      serverError(1180, 'ER_ERROR_DURING_COMMIT', 'Got error 6 "No such device or address" during COMMIT'),
      serverError(1927, undefined, 'Connection was killed'),
      serverError(1213, 'ER_LOCK_DEADLOCK', 'Deadlock found when trying to get lock; try restarting transaction'),
    ];
    expect(galera.filter((err) => !isInfrastructureError(err)).map((e) => e.message)).toEqual([]);
  });
});
