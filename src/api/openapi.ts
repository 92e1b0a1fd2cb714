import { Router } from 'express';

/** GET /api/v1/openapi.json (filled in by the API module). */
export function openApiRoutes(): Router {
  return Router();
}
