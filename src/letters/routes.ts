import { Router } from 'express';
import type { AppContext } from '../shared/context';
import type { Services } from '../app';

/** Pages of the apology letters and the head's dashboard (filled in by the letters module). */
export function letterPages(_ctx: AppContext, _services: Services): Router {
  return Router();
}

/** GET /letters, POST /letters/:id/issue under /api/v1. */
export function letterApi(_ctx: AppContext, _services: Services): Router {
  return Router();
}

/** Starts the drafting sweep; returns a function that stops it. */
export function startLetterSweep(_ctx: AppContext, _services: Services): () => void {
  return () => {};
}
