import { Router } from 'express';
import type { AppContext } from '../shared/context';
import type { Services } from '../app';

/** Report pages (filled in by the reports module). */
export function reportPages(_ctx: AppContext, _services: Services): Router {
  return Router();
}

/** GET /reports/settlement under /api/v1. */
export function reportApi(_ctx: AppContext, _services: Services): Router {
  return Router();
}
