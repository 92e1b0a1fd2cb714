import { describe, expect, it } from 'vitest';
import { cachedPrepare } from '../../../src/db/knex';

describe('the prepared statement cache of SQLite connections', () => {
  it('when the same SQL comes again, then the statement prepared the first time is given back', () => {
    const prepared: string[] = [];
    const prepare = cachedPrepare((sql: string) => {
      prepared.push(sql);
      return { sql, n: prepared.length };
    }, 3);
    const first = prepare('select 1');
    expect(prepare('select 1')).toBe(first);
    expect(prepare('select 2')).not.toBe(first);
    expect(prepared).toEqual(['select 1', 'select 2']);
  });

  it('when more distinct statements come than it keeps, then the least recently used one is prepared again', () => {
    const prepared: string[] = [];
    const prepare = cachedPrepare((sql: string) => {
      prepared.push(sql);
      return { sql };
    }, 2);
    prepare('a');
    prepare('b');
    prepare('a'); // a is now the most recent: b goes first
    prepare('c');
    prepare('a');
    prepare('b');
    expect(prepared).toEqual(['a', 'b', 'c', 'b']);
  });
});
