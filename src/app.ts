import express, { type Express } from 'express';
import helmet from 'helmet';
import path from 'node:path';
import type { Knex } from 'knex';
import type { Config } from './config';
import { systemClock, type Clock } from './shared/clock';
import type { AppContext } from './shared/context';
import { errorHandler, sanitizeInput } from './shared/http';
import { takeTurns } from './shared/turns';
import { renderAsUtf8, viewOptions } from './shared/views';
import { isSqlite } from './db/dialect';
import { AppError, NotFoundError } from './shared/errors';
import * as format from './shared/format';
import { csrfProtection, sessionMiddleware } from './auth/sessions';
import { authRoutes } from './auth/routes';
import { CalendarService } from './calendar/repository';
import { DossierService } from './dossiers/service';
import { dossierPages } from './dossiers/routes';
import { dossierApi } from './dossiers/api';
import { catalogApi } from './catalog/api';
import { calendarApi } from './calendar/api';
import { adminPages } from './admin/routes';
import { publicRoutes } from './public/routes';
import { homeRoutes } from './home/routes';
import { letterApi, letterPages } from './letters/routes';
import { reportApi, reportPages } from './reports/routes';
import { COLUMN_INFO as REPORT_COLUMN_INFO } from './reports/definitions';
import { importPages } from './imports/routes';
import { auditPages } from './audit/routes';
import { formTextPages } from './forms/routes';
import { openApiRoutes } from './api/openapi';
import { STATUS_NAMES } from './dossiers/status';
import { CHANNEL_NAMES } from './dossiers/schema';
import { ROLE_NAMES } from './auth/users';
import { CORRECTED_NAMES, EVENT_NAMES } from './dossiers/events';

export interface Services {
  calendars: CalendarService;
  dossiers: DossierService;
}

export interface AppOptions {
  db: Knex;
  config: Readonly<Config>;
  clock?: Clock;
  log?: (msg: string, err?: unknown) => void;
}

const ROOT = path.resolve(import.meta.dirname, '..');

/**
 * The helpers and tables of names every template may read, the same for every app of the process (shared/views.ts).
 * EJS keeps each compiled template, with the context it was compiled with, for the whole process: what depends on an
 * app's configuration (its `placeName`) stays among that app's locals.
 */
const TEMPLATE_HELPERS = { ...format, STATUS_NAMES, CHANNEL_NAMES, ROLE_NAMES, EVENT_NAMES, CORRECTED_NAMES, REPORT_COLUMN_INFO };

/** Builds the Express app; never listens (server.ts does, tests use supertest). */
export function createApp(options: AppOptions): Express & { locals: { services: Services; ctx: AppContext } } {
  const ctx: AppContext = {
    db: options.db,
    config: options.config,
    clock: options.clock ?? systemClock,
    log: options.log ?? ((msg, err) => console.error(msg, err ?? '')),
  };
  const calendars = new CalendarService(ctx.db, ctx.config.workingPeriods);
  const services: Services = { calendars, dossiers: new DossierService(ctx, calendars) };

  const app = express();
  app.locals.services = services;
  app.locals.ctx = ctx;
  app.set('view engine', 'ejs');
  app.set('views', path.join(ROOT, 'views'));
  // Templates include each other by paths from views/ ('/partials/header'): EJS resolves those against `root`
  // without asking the file system, where a relative include cost a stat call on every render. They are compiled
  // without `with` (shared/views.ts).
  app.set('view options', viewOptions(path.join(ROOT, 'views'), TEMPLATE_HELPERS));
  renderAsUtf8(app);
  app.locals.placeName = ctx.config.placeName;
  app.set('trust proxy', ctx.config.trustProxy ? 1 : false);
  app.disable('x-powered-by');
  // Pages are built per user and never stored (auth/sessions.ts), so a hash of each body to answer
  // If-None-Match would only cost time: the late list's 51 kB were hashed on every request.
  app.set('etag', false);
  if (ctx.config.env === 'production') app.set('view cache', true);

  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          upgradeInsecureRequests: null,
        },
      },
      strictTransportSecurity: ctx.config.trustProxy,
    }),
  );
  app.use('/assets', express.static(path.join(ROOT, 'views/assets'), { maxAge: ctx.config.env === 'production' ? '1d' : 0 }));
  // Browsers ask for /favicon.ico whatever the page links: the desk's icon, not a 404 in every log.
  app.get('/favicon.ico', (_req, res) => res.sendFile(path.join(ROOT, 'views/assets/favicon.svg'), { headers: { 'Content-Type': 'image/svg+xml' }, maxAge: '1d' }));
  // On SQLite a request is built in one synchronous piece, and under load requests must take turns to be served in
  // the order they came (shared/turns.ts). On PostgreSQL each request waits on the network between its steps, so the
  // event loop reads new requests between any two anyway: there, turns measured no better (A/B, 4 alternations).
  // After the style sheets, which need no turn.
  if (isSqlite(ctx.db)) app.use(takeTurns());
  app.use(express.urlencoded({ extended: true, limit: '200kb' }));
  app.use(express.json({ limit: '1mb' }));
  app.use(sanitizeInput());
  app.use(sessionMiddleware(ctx));
  app.use((req, res, next) => {
    res.locals.currentPath = req.path;
    res.locals.query = req.query;
    next();
  });
  app.use(csrfProtection());

  app.use(publicRoutes(ctx, services));
  app.use(authRoutes(ctx));
  app.use(
    '/api/v1',
    openApiRoutes(),
    catalogApi(ctx, services),
    calendarApi(ctx, services),
    dossierApi(ctx, services),
    letterApi(ctx, services),
    reportApi(ctx, services),
  );
  app.use(homeRoutes(ctx, services));
  app.use(dossierPages(ctx, services));
  app.use(letterPages(ctx, services));
  app.use(reportPages(ctx, services));
  app.use('/quan-tri/nhap-du-lieu', importPages(ctx, services));
  app.use('/quan-tri/nhat-ky', auditPages(ctx, services));
  app.use('/quan-tri/mau-phieu', formTextPages(ctx));
  app.use('/quan-tri', adminPages(ctx, services));

  app.use((req, _res, next) => next(new NotFoundError('Không tìm thấy trang hoặc tài nguyên này.')));
  app.use((err: unknown, req: express.Request, _res: express.Response, next: express.NextFunction) => {
    const e = err as { csrf?: boolean };
    if (!e?.csrf) return next(err);
    if (req.user || req.path === '/dang-nhap') return next(new AppError(403, 'csrf', 'Phiên làm việc của biểu mẫu đã hết hạn. Vui lòng tải lại trang và thử lại.'));
    // Logged out meanwhile (the session ran out, or a logout in another tab): the page offers to log in again and
    // come back to the intake form, where what was typed comes back (app.js keeps it in the tab).
    next(
      new AppError(
        403,
        'session_expired',
        'Phiên đăng nhập đã hết hạn hoặc đã đăng xuất (có thể ở một thẻ khác), nên nội dung vừa gửi chưa được lưu. Hãy đăng nhập lại: trang tiếp nhận sẽ hiện lại phiếu đang nhập dở.',
      ),
    );
  });
  app.use(errorHandler(ctx.log));
  return app as Express & { locals: { services: Services; ctx: AppContext } };
}
