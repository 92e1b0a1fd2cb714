import { describe, expect, it } from 'vitest';
import { Turns } from '../../../src/shared/turns';

/** Turns driven by the test: `turn()` runs the scheduled turn, as setImmediate would. */
function harness(perTurn: number) {
  const scheduled: (() => void)[] = [];
  const errors: unknown[] = [];
  const turns = new Turns(perTurn, (t) => scheduled.push(t), (err) => errors.push(err));
  const started: string[] = [];
  const enter = (name: string, work?: () => void) => turns.enter(() => {
    started.push(name);
    work?.();
  });
  const turn = () => {
    const t = scheduled.shift();
    if (!t) throw new Error('no turn scheduled');
    t();
  };
  return { turns, scheduled, errors, started, enter, turn };
}

describe('requests take turns', () => {
  it('when a request enters, then it does not start at once but at the next turn, and one turn is scheduled for many', () => {
    const h = harness(4);
    h.enter('a');
    h.enter('b');
    expect(h.started).toEqual([]);
    expect(h.scheduled).toHaveLength(1);
    h.turn();
    expect(h.started).toEqual(['a', 'b']);
    expect(h.scheduled).toHaveLength(0);
    expect(h.turns.pending).toBe(0);
  });

  it('when more requests wait than a turn takes, then they start a few per turn, in the order they entered', () => {
    const h = harness(4);
    for (const x of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']) h.enter(x);
    h.turn();
    expect(h.started).toEqual(['a', 'b', 'c', 'd']);
    expect(h.turns.pending).toBe(6);
    h.turn();
    h.turn();
    expect(h.started).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']);
    expect(h.scheduled).toHaveLength(0);
  });

  it('when a request enters during a turn, then it waits for the next turn even if this one has room', () => {
    const h = harness(4);
    h.enter('a', () => h.enter('late'));
    h.turn();
    expect(h.started).toEqual(['a']);
    expect(h.scheduled).toHaveLength(1);
    h.turn();
    expect(h.started).toEqual(['a', 'late']);
  });

  it('when requests arrive between turns, then those that came first start first: a latecomer never overtakes', () => {
    const h = harness(2);
    h.enter('a');
    h.enter('b');
    h.enter('c');
    h.turn(); // a, b
    h.enter('d'); // came after c
    h.turn();
    expect(h.started).toEqual(['a', 'b', 'c', 'd']);
    expect(h.scheduled).toHaveLength(0);
  });

  it('when a start throws, then the error is reported and the other requests of the turn and of later turns still start', () => {
    const h = harness(4);
    h.enter('a');
    h.enter('boom', () => {
      throw new Error('broken start');
    });
    h.enter('c');
    h.turn();
    expect(h.started).toEqual(['a', 'boom', 'c']);
    expect(h.errors.map((e) => (e as Error).message)).toEqual(['broken start']);
    h.enter('d');
    h.turn();
    expect(h.started.at(-1)).toBe('d');
  });

  it('when perTurn is below 1, then the turns refuse to be built', () => {
    expect(() => new Turns(0)).toThrow('perTurn must be at least 1');
  });
});
