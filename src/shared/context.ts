import type { Knex } from 'knex';
import type { Config } from '../config';
import type { Clock } from './clock';

/** What every service needs, built once in createApp and passed down. */
export interface AppContext {
  db: Knex;
  config: Readonly<Config>;
  clock: Clock;
  log: (msg: string, err?: unknown) => void;
}
