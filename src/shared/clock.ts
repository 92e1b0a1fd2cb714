/** Where time comes from; tests pass a fixed or stepping clock. */
export interface Clock {
  now(): Date;
}

/**
 * The system's time in whole seconds: what is stored is what the API and the pages show (ISO-8601 to the second), so
 * an instant read from the API and sent back (an action `at` a dossier's receipt) is the instant stored, not one a
 * fraction of a second before it.
 */
export const systemClock: Clock = { now: () => new Date(Math.floor(Date.now() / 1000) * 1000) };

export function fixedClock(at: Date | string): Clock & { set(at: Date | string): void; advance(ms: number): void } {
  let current = new Date(at);
  return {
    now: () => new Date(current),
    set: (next) => {
      current = new Date(next);
    },
    advance: (ms) => {
      current = new Date(current.getTime() + ms);
    },
  };
}
