import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../../src/db/group-commit';

/**
 * A fake store in place of a database: a transaction is a list of items, committed all or nothing; an item named
 * "bad" makes its transaction fail. Flushes run when the test says so.
 */
function harness(maxBatch = 10, opts: { batchReturns?: (items: readonly string[]) => string[]; gatherTurns?: number } = {}) {
  const committed: string[][] = [];
  const flushes: (() => void)[] = [];
  const transaction = async (items: readonly string[]) => {
    await Promise.resolve(); // the write takes a turn of the event loop, as a database call does
    if (items.includes('bad')) throw new Error('refused');
    committed.push([...items]);
    return items.map((i) => `${i}#${committed.length}`);
  };
  const queue = new GroupCommit<string, string>({
    writeBatch: (items) => (opts.batchReturns ? Promise.resolve(opts.batchReturns(items)) : transaction(items)),
    writeOne: async (item) => (await transaction([item]))[0],
    maxBatch,
    gatherTurns: opts.gatherTurns,
    schedule: (flush) => flushes.push(flush),
  });
  /** Runs the queued flush and lets its transactions finish. */
  const flush = async () => {
    const next = flushes.shift();
    if (!next) throw new Error('no flush queued');
    next();
    for (let i = 0; i < 50; i++) await Promise.resolve();
  };
  return { queue, committed, flushes, flush };
}

const settle = <T>(p: Promise<T>) => p.then((value) => ({ value }), (error: Error) => ({ error: error.message }));

describe('group commit', () => {
  it('when three writes arrive before the flush, then one transaction holds them and each gets its own result', async () => {
    const h = harness();
    const results = ['a', 'b', 'c'].map((x) => settle(h.queue.write(x)));
    expect(h.flushes).toHaveLength(1);
    expect(h.queue.pending).toBe(3);
    await h.flush();
    expect(h.committed).toEqual([['a', 'b', 'c']]);
    expect(await Promise.all(results)).toEqual([{ value: 'a#1' }, { value: 'b#1' }, { value: 'c#1' }]);
    expect(h.flushes).toHaveLength(0);
  });

  it('when the last transaction ends with nothing waiting, then onIdle is called once, and not while writes wait', async () => {
    let idle = 0;
    const flushes: (() => void)[] = [];
    const queue = new GroupCommit<string, string>({
      writeBatch: async (items) => items.map((i) => `${i}!`),
      writeOne: async (item) => `${item}!`,
      maxBatch: 10,
      schedule: (flush) => flushes.push(flush),
      onIdle: () => (idle += 1),
    });
    const settleAll = async () => {
      for (let i = 0; i < 50; i++) await Promise.resolve();
    };
    const first = queue.write('a');
    flushes.shift()!(); // 'a' is being written
    const second = queue.write('b'); // waits for the next transaction
    await settleAll();
    expect(await first).toBe('a!');
    expect(idle).toBe(0);
    expect(flushes).toHaveLength(1);
    flushes.shift()!();
    await settleAll();
    expect(await second).toBe('b!');
    expect(idle).toBe(1);
  });

  it('when writes arrive while a transaction runs, then they wait for the next one, in their order', async () => {
    const h = harness();
    const first = h.queue.write('a');
    h.flushes.shift()!();
    const later = [h.queue.write('b'), h.queue.write('c')];
    expect(h.flushes).toHaveLength(0); // the running flush queues the next one when it ends
    expect(await first).toBe('a#1');
    for (let i = 0; i < 50; i++) await Promise.resolve();
    expect(h.flushes).toHaveLength(1);
    await h.flush();
    expect(await Promise.all(later)).toEqual(['b#2', 'c#2']);
    expect(h.committed).toEqual([['a'], ['b', 'c']]);
  });

  it('when more writes wait than a batch holds, then they are split into batches of at most maxBatch', async () => {
    const h = harness(4);
    const all = Array.from({ length: 10 }, (_, i) => h.queue.write(`w${i}`));
    await h.flush();
    await h.flush();
    await h.flush();
    expect(h.committed.map((b) => b.length)).toEqual([4, 4, 2]);
    expect((await Promise.all(all)).map((r) => r.split('#')[0])).toEqual(Array.from({ length: 10 }, (_, i) => `w${i}`));
    expect(h.flushes).toHaveLength(0);
  });

  it('when one write of a batch fails, then only it fails and the others are committed alone, in order', async () => {
    const h = harness();
    const results = ['a', 'bad', 'c'].map((x) => settle(h.queue.write(x)));
    await h.flush();
    expect(await Promise.all(results)).toEqual([{ value: 'a#1' }, { error: 'refused' }, { value: 'c#2' }]);
    expect(h.committed).toEqual([['a'], ['c']]);
  });

  it('when a flush fails entirely, then the queue still takes new writes afterwards', async () => {
    const h = harness();
    const failed = settle(h.queue.write('bad'));
    await h.flush();
    expect(await failed).toEqual({ error: 'refused' });
    const next = h.queue.write('d');
    expect(h.flushes).toHaveLength(1);
    await h.flush();
    expect(await next).toBe('d#1');
  });

  it('when the batch writer answers a wrong number of results, then every caller of the batch gets an error, none a wrong result', async () => {
    const h = harness(10, { batchReturns: (items) => items.slice(1) });
    const results = ['a', 'b'].map((x) => settle(h.queue.write(x)));
    await h.flush();
    expect(await Promise.all(results)).toEqual([
      { error: 'writeBatch returned 1 results for 2 items' },
      { error: 'writeBatch returned 1 results for 2 items' },
    ]);
  });

  describe('gathering a batch over turns of the event loop (gatherTurns)', () => {
    it('when writes keep arriving, then the flush waits a turn each time the queue grew, and writes them together once it stops growing', async () => {
      const h = harness(10, { gatherTurns: 3 });
      const results = [h.queue.write('a'), h.queue.write('b')];
      await h.flush(); // 2 waiting, more than before: waits a turn
      expect(h.committed).toEqual([]);
      results.push(h.queue.write('c'));
      await h.flush(); // 3: waits again
      expect(h.committed).toEqual([]);
      await h.flush(); // still 3: written
      expect(h.committed).toEqual([['a', 'b', 'c']]);
      expect(await Promise.all(results)).toEqual(['a#1', 'b#1', 'c#1']);
      expect(h.flushes).toHaveLength(0);
    });

    it('when writes arrive at every turn, then the flush waits at most gatherTurns turns', async () => {
      const h = harness(10, { gatherTurns: 2 });
      const results = [h.queue.write('a')];
      await h.flush();
      results.push(h.queue.write('b'));
      await h.flush();
      results.push(h.queue.write('c'));
      await h.flush(); // grew again, but it has waited two turns: written
      expect(h.committed).toEqual([['a', 'b', 'c']]);
      results.push(h.queue.write('d'));
      await h.flush(); // the next batch gathers afresh: 'd' waits a turn
      expect(h.committed).toHaveLength(1);
      await h.flush();
      expect(h.committed).toEqual([['a', 'b', 'c'], ['d']]);
      expect(await Promise.all(results)).toEqual(['a#1', 'b#1', 'c#1', 'd#2']);
    });

    it('when a full batch waits, then it is written at once', async () => {
      const h = harness(3, { gatherTurns: 5 });
      const results = ['a', 'b', 'c', 'd'].map((x) => h.queue.write(x));
      await h.flush();
      expect(h.committed).toEqual([['a', 'b', 'c']]);
      await h.flush(); // 'd', alone and grown from nothing: waits a turn
      await h.flush();
      expect(h.committed).toEqual([['a', 'b', 'c'], ['d']]);
      expect(await Promise.all(results)).toEqual(['a#1', 'b#1', 'c#1', 'd#2']);
    });
  });

  it('when maxBatch is below 1, then the queue refuses to be built', () => {
    expect(() => new GroupCommit<string, string>({ writeBatch: async () => [], writeOne: async (x) => x, maxBatch: 0 })).toThrow('maxBatch must be at least 1');
  });
});
