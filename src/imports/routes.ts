import { Router } from 'express';
import type { AppContext } from '../shared/context';
import type { Services } from '../app';

/** Admin page for importing dossiers from CSV (filled in by the import module), mounted at /quan-tri/nhap-du-lieu. */
export function importPages(_ctx: AppContext, _services: Services): Router {
  return Router();
}
