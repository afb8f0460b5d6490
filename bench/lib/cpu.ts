// CPU time from outside the processes that used it, for the scaling curve: a process's from /proc,
// Redis's from INFO (summed over a cluster's masters), MySQL's through its pid file, the machine's.
import { readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import type { Db } from '../../src/db/database.js';
import { masterNodes, type RedisClient } from '../../src/redis.js';

/** CPU seconds a process has used (user + system), from /proc. */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / 100;
}

/** CPU seconds Redis has used, summed over the masters (INFO cpu). */
export async function redisCpuSeconds(redis: RedisClient): Promise<number> {
  let total = 0;
  for (const node of masterNodes(redis)) {
    const info = await node.info('cpu');
    for (const m of info.matchAll(/^used_cpu_(?:sys|user):([0-9.]+)/gm)) total += Number(m[1]);
  }
  return total;
}

/** CPU seconds of the MySQL server when it runs on this machine (its pid file is readable), else NaN. */
export async function mysqlCpuSeconds(db: Db): Promise<number> {
  const { rows } = await sql<{ f: string }>`SELECT @@pid_file AS f`.execute(db);
  const pid = Number((await readFile(rows[0]?.f ?? '', 'utf8').catch(() => '')).trim());
  return pid > 0 ? cpuSeconds(pid) : NaN;
}

/** Busy and total jiffies of the whole machine, from /proc/stat. */
export async function machineTicks(): Promise<{ busy: number; total: number }> {
  const cpu = (await readFile('/proc/stat', 'utf8')).split('\n')[0]?.split(/\s+/).slice(1).map(Number) ?? [];
  const total = cpu.reduce((a, b) => a + b, 0);
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
  return { busy: total - idle, total };
}
