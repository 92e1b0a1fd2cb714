import http from 'node:http';
import type net from 'node:net';
import type { Express } from 'express';

/**
 * An HTTP server for an Express app whose requests and responses are made with the app's prototypes (app.request,
 * app.response) instead of being given them once made.
 *
 * Express gives each request and response its prototypes with Object.setPrototypeOf as it starts to handle them. V8
 * then moves the object onto a map of its own, outside the transition tree that objects made alike share: every
 * property set on it afterwards (by Express: params, baseUrl, locals, statusCode…; by the app: body, cookies, user,
 * csrfToken…; 16 per request of the bench's floor, 11 of its hello world) makes a new map, copying its forty-odd
 * property descriptors, and each access that meets such a fresh map misses its inline cache and looks the property
 * up the slow way, and the maps are garbage to collect. Made with those prototypes, the objects keep shared maps
 * (Express's setPrototypeOf finds the prototype already there and changes nothing), so the same properties are
 * set along transitions V8 has cached. Measured on the floor (scripts/bench/floor-cpu.ts): the server's CPU per
 * request fell by more than half, to about the hello world's (docs/SCALING.md, What remains).
 *
 * What the requests and responses are is unchanged: the same objects, with the same prototypes from the moment
 * Express sees them; before that only Node's own code uses them, and none of its names is one Express defines.
 */
export function createHttpServer(app: Express): http.Server {
  const incoming = http.IncomingMessage as unknown as (this: http.IncomingMessage, socket: net.Socket) => void;
  const outgoing = http.ServerResponse as unknown as (this: http.ServerResponse, req: http.IncomingMessage, options?: object) => void;
  function AppRequest(this: http.IncomingMessage, socket: net.Socket) {
    incoming.call(this, socket);
  }
  AppRequest.prototype = app.request;
  function AppResponse(this: http.ServerResponse, req: http.IncomingMessage, options?: object) {
    outgoing.call(this, req, options);
  }
  AppResponse.prototype = app.response;
  return http.createServer(
    {
      IncomingMessage: AppRequest as unknown as typeof http.IncomingMessage,
      ServerResponse: AppResponse as unknown as typeof http.ServerResponse,
    },
    app,
  );
}

/**
 * Serves the app on `port` (createHttpServer) as Express's app.listen does: `callback` once, with the error when
 * the server cannot listen (a port taken), without when it listens.
 */
export function listen(app: Express, port: number, callback: (err?: Error) => void): http.Server {
  const server = createHttpServer(app);
  let called = false;
  const once = (err?: Error) => {
    if (called) return;
    called = true;
    callback(err);
  };
  server.once('error', once);
  return server.listen(port, () => once());
}
