import { afterAll, describe, expect, it } from 'vitest';
import knexFactory from 'knex';
import { createTestDb, testDbKind, type TestDb } from '../helpers/db';
import { openDb } from '../../src/db/knex';
import { copyForRun, databaseName, dropRunCopy } from '../../scripts/bench/pg-copy';

// The bench measures PostgreSQL on a copy of its generated database, made afresh each run: what a run writes (its
// intakes, letters, sessions) must not reach the next run.
describe.runIf(testDbKind() === 'pg')("the bench's copy of its PostgreSQL data set", () => {
  let source: TestDb | undefined;
  let copyUrl: string | undefined;

  afterAll(async () => {
    if (copyUrl) await dropRunCopy(copyUrl);
    await source?.destroy();
  });

  const agencyNames = async (url: string) => {
    const db = openDb({ client: 'pg', url });
    try {
      return await db('agencies').orderBy('code').pluck('name');
    } finally {
      await db.destroy();
    }
  };

  it("when a run wrote into its copy, then the next run's copy holds the data set as generated and nothing of it", async () => {
    source = await createTestDb({ kind: 'pg' });
    await source.db('agencies').insert({ code: 'BENCH.A', name: 'Sinh ra', level: 'province', kind: 'department' });
    await source.db.destroy(); // a template must have no open connection

    const first = await copyForRun(source.url);
    copyUrl = first.url;
    expect(new URL(first.url).pathname).toBe(`${new URL(source.url).pathname}_run`);
    expect(await agencyNames(first.url)).toEqual(['Sinh ra']);
    const run = openDb({ client: 'pg', url: first.url });
    await run('agencies').insert({ code: 'BENCH.B', name: 'Ghi trong lần chạy', level: 'province', kind: 'department' });
    await run.destroy();
    expect(await agencyNames(first.url)).toEqual(['Sinh ra', 'Ghi trong lần chạy']);

    const second = await copyForRun(source.url);
    expect(second.url).toBe(first.url);
    expect(await agencyNames(second.url)).toEqual(['Sinh ra']);

    // Removed at the run's end, even with a connection still open to it; the source stays.
    const left = openDb({ client: 'pg', url: second.url });
    await left.raw('SELECT 1');
    await dropRunCopy(second.url);
    await left.destroy().catch(() => undefined);
    const admin = knexFactory({ client: 'pg', connection: source.url.replace(/\/[^/]*$/, '/postgres'), pool: { min: 0, max: 1 } });
    const names = await admin('pg_database').whereIn('datname', [databaseName(source.url), databaseName(second.url)]).pluck('datname');
    await admin.destroy();
    expect(names).toEqual([databaseName(source.url)]);
    await expect(dropRunCopy(source.url)).rejects.toThrow("not a run's copy");
  });
});
