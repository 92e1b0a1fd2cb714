import type { NextFunction, Request, Response } from 'express';

// Requests take turns, a few per turn of the event loop, in the order they were read.
//
// A page is built in one piece of synchronous work (SQLite answers synchronously, then EJS renders), so without turns
// the server builds, one after the other, every request the event loop found ready in one look at the sockets, and
// only then looks again. Under load that look returns a dozen requests, and Linux lists the connections it reported
// last time first: a connection whose request came just after a look was served last of the next round and missed
// the one after, again and again. With 16 connections on the late list, two of them got between half and two thirds
// of the others' share and made the p99. Between two turns the loop reads what arrived since, so a request waits
// for at most a few that came after it. A/B of the app on the 1M SQLite data set, 4 alternations, late list with 16
// connections: 371–495 → 397–534 req/s, p99 64–101 → 43–62 ms, every connection served as often as the others.

/** How many requests start per turn: 1 costs a look at the sockets per request, more lets latecomers overtake. */
export const REQUESTS_PER_TURN = 4;

export class Turns {
  private waiting: (() => void)[] = [];
  private scheduled = false;

  constructor(
    private readonly perTurn: number,
    private readonly schedule: (turn: () => void) => void = (turn) => setImmediate(turn),
    private readonly onError: (err: unknown) => void = (err) => console.error('A request could not start:', err),
  ) {
    if (!(perTurn >= 1)) throw new Error('perTurn must be at least 1');
  }

  /** Queues `start` for a coming turn; starts never run inside enter(). */
  enter(start: () => void): void {
    this.waiting.push(start);
    this.scheduleTurn();
  }

  /** How many starts wait for a turn. */
  get pending(): number {
    return this.waiting.length;
  }

  private scheduleTurn(): void {
    if (this.scheduled || this.waiting.length === 0) return;
    this.scheduled = true;
    this.schedule(() => this.turn());
  }

  private turn(): void {
    this.scheduled = false;
    // Those that enter during this turn wait for the next one.
    const now = this.waiting.splice(0, this.perTurn);
    for (const start of now) {
      try {
        start();
      } catch (err) {
        this.onError(err);
      }
    }
    this.scheduleTurn();
  }
}

/** The middleware: each request waits for its turn before the rest of the app sees it. */
export function takeTurns(perTurn = REQUESTS_PER_TURN) {
  const turns = new Turns(perTurn);
  return (_req: Request, _res: Response, next: NextFunction) => {
    turns.enter(() => {
      try {
        next();
      } catch (err) {
        next(err);
      }
    });
  };
}
