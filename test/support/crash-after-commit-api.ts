// Entry point of an API process that kills itself with SIGKILL the moment MySQL acknowledges the
// COMMIT of a transaction that wrote the table named in CRASH_AFTER_COMMIT_OF: the crash between a
// synchronous POST's effect and its answer, hit exactly instead of by timing. The commit is real;
// the process dies before it can do anything after it (store the answer later, write the response).
import mysql from 'mysql2';

type Callback = (err: unknown, ...rest: unknown[]) => void;
type Query = (this: object, sql: unknown, values?: unknown, cb?: unknown) => unknown;

const table = process.env.CRASH_AFTER_COMMIT_OF;
if (!table) throw new Error('CRASH_AFTER_COMMIT_OF must name a table');
const writes = new RegExp(`^\\s*(insert|update|delete)\\b[^;]*\`${table}\``, 'i');
const wrote = new WeakSet<object>();
const proto = mysql.Connection.prototype as unknown as { query: Query };
const query = proto.query;

proto.query = function (this: object, sql, values, cb) {
  const text = typeof sql === 'string' ? sql : '';
  if (writes.test(text)) wrote.add(this);
  if (/^\s*rollback\b/i.test(text)) wrote.delete(this);
  if (/^\s*commit\b/i.test(text) && wrote.has(this) && typeof cb === 'function') {
    return query.call(this, sql, values, (err: unknown, ...rest: unknown[]) => {
      if (!err) process.kill(process.pid, 'SIGKILL');
      (cb as Callback)(err, ...rest);
    });
  }
  return query.call(this, sql, values, cb);
};

await import('../../apps/api/main.js');
