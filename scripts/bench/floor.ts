// The ceiling of any page's throughput: the app as it serves every request (src/app.ts, on the same database and
// settings as the measured server), with one route more, answering before any page's own work. A logged-in request
// for it pays what every page pays — Express, the security headers, the body parsers, the session (kept in the
// process unless SESSION_CACHE=0), the CSRF token, the routers before it — and builds nothing.
import { pathToFileURL } from 'node:url';
import type { Express } from 'express';
import { loadConfig } from '../../src/config';
import { openDb } from '../../src/db/knex';
import { createApp } from '../../src/app';
import { listen } from '../../src/shared/http-server';

/** The floor's path: after every router of the app, where a page would be, before the "not found" handler. */
export const FLOOR_PATH = '/__bench/floor';

/** Adds the floor's route to an app built by createApp. */
export function addFloor(app: Express): void {
  app.get(FLOOR_PATH, (req, res) => {
    res.type('text/plain').send(req.user ? 'logged in' : 'anonymous');
  });
  // Express keeps its handlers in order. The app ends with three: "not found", the CSRF error's message, the error
  // page. The floor goes before them, so a request for it passes every router of the app first, as a page's does.
  const stack = (app as unknown as { router: { stack: unknown[] } }).router.stack;
  const floor = stack.pop();
  stack.splice(stack.length - 3, 0, floor);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const config = loadConfig();
  const db = openDb(config.database);
  const app = createApp({ db, config });
  addFloor(app);
  // Served as src/server.ts serves the app (shared/http-server.ts).
  const server = listen(app, config.port, () => console.log('floor ready'));
  process.on('SIGTERM', () => server.close(() => void db.destroy().then(() => process.exit(0))));
}
