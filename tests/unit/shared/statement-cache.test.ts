import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { cachedPrepare, rowsBuiltInJs } from '../../../src/db/knex';

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

describe('rows of kept SQLite statements, built in JavaScript', () => {
  const open = () => {
    const db = new Database(':memory:');
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, at TEXT); INSERT INTO t VALUES (1, 'Trần Thị An', '2026-02-24T03:00:00.000Z'), (2, NULL, NULL)");
    return db;
  };

  it('when rows are read, then they equal better-sqlite3 own objects, keys in the same order', () => {
    const db = open();
    const sql = 'SELECT t.*, length(name) AS n, id * 2.5 AS x FROM t ORDER BY id';
    const own = db.prepare(sql).all();
    const built = rowsBuiltInJs(db.prepare(sql)).all();
    expect(built).toEqual([
      { id: 1, name: 'Trần Thị An', at: '2026-02-24T03:00:00.000Z', n: 11, x: 2.5 },
      { id: 2, name: null, at: null, n: null, x: 5 },
    ]);
    expect(built).toEqual(own);
    expect(Object.keys(built[0] as object)).toEqual(Object.keys(own[0] as object));
  });

  it('when two columns share a name, then the later one is kept, as better-sqlite3 does', () => {
    const db = open();
    const sql = "SELECT id, name AS id, 'x' AS y FROM t WHERE id = ?";
    expect(rowsBuiltInJs(db.prepare(sql)).get(1)).toEqual(db.prepare(sql).get(1));
    expect(rowsBuiltInJs(db.prepare(sql)).get(1)).toEqual({ id: 'Trần Thị An', y: 'x' });
  });

  it('when columns are named with quotes, backslashes, spaces, digits or Vietnamese letters, then the rows hold them as better-sqlite3 does', () => {
    const db = open();
    const sql = `SELECT id AS "a""b", name AS 'c\\d', at AS "tên hồ sơ", 7 AS "2", '\u2028' AS "x\u2028y", 1 AS "});process.exit(1);({" FROM t WHERE id = 1`;
    const built = rowsBuiltInJs(db.prepare(sql)).get() as Record<string, unknown>;
    expect(built).toEqual(db.prepare(sql).get());
    expect(built['tên hồ sơ']).toBe('2026-02-24T03:00:00.000Z');
    expect(built['});process.exit(1);({']).toBe(1);
  });

  it('when a column is named __proto__, then it is a property of the row itself and the row stays a plain object', () => {
    const db = open();
    const row = rowsBuiltInJs(db.prepare('SELECT id, name AS __proto__ FROM t WHERE id = 1')).get() as Record<string, unknown>;
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    expect(Object.keys(row)).toEqual(['id', '__proto__']);
    expect(Object.getOwnPropertyDescriptor(row, '__proto__')?.value).toBe('Trần Thị An');
  });

  it('when get() finds nothing, then it answers undefined; a statement that reads nothing is left as it is', () => {
    const db = open();
    expect(rowsBuiltInJs(db.prepare('SELECT * FROM t WHERE id = ?')).get(9)).toBeUndefined();
    const insert = db.prepare("INSERT INTO t (name) VALUES ('Lê Văn Bình')");
    expect(rowsBuiltInJs(insert)).toBe(insert);
    expect(insert.run().changes).toBe(1);
    expect(rowsBuiltInJs(db.prepare("INSERT INTO t (name) VALUES ('Cúc') RETURNING id, name")).all()).toEqual([{ id: 4, name: 'Cúc' }]);
  });

  it('when the table gains a column under a kept statement, then its rows carry the new column by name', () => {
    const db = open();
    const kept = rowsBuiltInJs(db.prepare('SELECT * FROM t WHERE id = 1'));
    expect(kept.get()).toEqual({ id: 1, name: 'Trần Thị An', at: '2026-02-24T03:00:00.000Z' });
    db.exec("ALTER TABLE t ADD COLUMN phone TEXT DEFAULT '0901234567'");
    expect(kept.get()).toEqual({ id: 1, name: 'Trần Thị An', at: '2026-02-24T03:00:00.000Z', phone: '0901234567' });
    expect(kept.all()).toEqual([{ id: 1, name: 'Trần Thị An', at: '2026-02-24T03:00:00.000Z', phone: '0901234567' }]);
  });
});
