// Group commit: writes that arrive together share one transaction, so one durable commit serves them all.
//
// On SQLite a durable commit syncs the log to disk, and better-sqlite3 does it on the event loop: 32 clerks'
// intakes at once, each committed alone, spent most of their time waiting for the disk (on this project's VM
// 219–230 intakes/s with synchronous=FULL, 311–504 with NORMAL). Queued here, the intakes that arrive while a
// transaction runs are written by the next one, together; each caller still gets its answer only after the commit
// that holds its write.
//
// Nothing here knows the database: `writeBatch` runs one transaction for several items (all or nothing) and
// `writeOne` one item alone. When a batch fails, each of its items is written alone, in order, so one bad item
// fails by itself and the others keep their place.

export interface GroupCommitOptions<T, R> {
  /** Writes every item in one transaction and returns their results in the same order; all or nothing. */
  writeBatch(items: readonly T[]): Promise<R[]>;
  /** Writes one item in its own transaction. */
  writeOne(item: T): Promise<R>;
  /** At most this many items per transaction. */
  maxBatch: number;
  /**
   * A flush waits for the next turn of the event loop while its queue has grown since the last turn, at most this many
   * turns (0, the default: it writes what waits when its turn comes). Under load the app starts a few requests per
   * turn (shared/turns.ts), so intakes reach the queue a few at a time: see dossiers/service.ts.
   */
  gatherTurns?: number;
  /** Queues the next flush; setImmediate unless a test drives it. */
  schedule?: (flush: () => void) => void;
  /** Called when the last transaction has ended and nothing waits (the queue may then be dropped). */
  onIdle?: () => void;
}

interface Waiting<T, R> {
  item: T;
  resolve(result: R): void;
  reject(err: unknown): void;
}

export class GroupCommit<T, R> {
  private readonly waiting: Waiting<T, R>[] = [];
  /** A flush is queued or running: new items wait for the next one. */
  private busy = false;
  private readonly schedule: (flush: () => void) => void;
  /** The queue's length when the coming flush last put itself off, and how many turns it has. */
  private gathered = 0;
  private turnsWaited = 0;

  constructor(private readonly options: GroupCommitOptions<T, R>) {
    if (!(options.maxBatch >= 1)) throw new Error('maxBatch must be at least 1');
    this.schedule = options.schedule ?? ((flush) => setImmediate(flush));
  }

  /** Resolves with the item's result once the transaction that wrote it has committed. */
  write(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.busy) {
        this.busy = true;
        this.schedule(() => void this.flush());
      }
    });
  }

  /** How many items wait for a transaction (not counting the one running). */
  get pending(): number {
    return this.waiting.length;
  }

  private async flush(): Promise<void> {
    const { maxBatch, gatherTurns = 0 } = this.options;
    if (this.turnsWaited < gatherTurns && this.waiting.length < maxBatch && this.waiting.length > this.gathered) {
      this.gathered = this.waiting.length;
      this.turnsWaited += 1;
      this.schedule(() => void this.flush());
      return;
    }
    this.gathered = 0;
    this.turnsWaited = 0;
    const batch = this.waiting.splice(0, maxBatch);
    try {
      await this.writeAll(batch);
    } finally {
      if (this.waiting.length) this.schedule(() => void this.flush());
      else {
        this.busy = false;
        this.options.onIdle?.();
      }
    }
  }

  private async writeAll(batch: Waiting<T, R>[]): Promise<void> {
    if (batch.length === 1) return this.writeAlone(batch[0]);
    let results: R[];
    try {
      results = await this.options.writeBatch(batch.map((w) => w.item));
    } catch {
      // Nothing of the batch was written: each item again on its own, so only a bad one fails.
      for (const w of batch) await this.writeAlone(w);
      return;
    }
    if (results.length !== batch.length) {
      const err = new Error(`writeBatch returned ${results.length} results for ${batch.length} items`);
      for (const w of batch) w.reject(err);
      return;
    }
    batch.forEach((w, i) => w.resolve(results[i]));
  }

  private async writeAlone(w: Waiting<T, R>): Promise<void> {
    try {
      w.resolve(await this.options.writeOne(w.item));
    } catch (err) {
      w.reject(err);
    }
  }
}
