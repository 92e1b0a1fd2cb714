import type { Express } from 'express';

export interface RouteInfo {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  /** the Express path pattern, e.g. /ho-so/:code/thao-tac */
  path: string;
}

interface Layer {
  rawPath?: string | RegExp;
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every route the app answers, read from Express's router stack (mounted routers included). */
export function listRoutes(app: Express): RouteInfo[] {
  const out: RouteInfo[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      const raw = typeof layer.rawPath === 'string' ? layer.rawPath : '';
      if (layer.route) {
        const path = `${prefix}${layer.route.path === '/' && prefix ? '' : layer.route.path}` || '/';
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on && method !== '_all') out.push({ method: method.toUpperCase() as RouteInfo['method'], path });
        }
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack, raw && raw !== '/' ? `${prefix}${raw}` : prefix);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  const seen = new Set<string>();
  return out.filter((r) => {
    const key = `${r.method} ${r.path}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
