import { hostileSweep } from '../helpers/hostile-sweep';

// The big sweep on SQLite: a couple of hundred generated nasty inputs for every form and API endpoint
// (about 8,000 requests). HOSTILE_SEED=<n> replays another set of cases.
hostileSweep({ cases: 200, segments: 60, seed: Number(process.env.HOSTILE_SEED ?? 20261127) + 0, kind: 'sqlite' });
