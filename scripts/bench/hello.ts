// The baseline of the HTTP measurements: a bare Express "hello world" on the same Node and machine, served by
// app.listen (the baseline); with HELLO_SERVER=app, served as the app is (src/shared/http-server.ts), whose
// requests and responses are made with Express's prototypes: the same hello world, the server's own cost the app's.
import express from 'express';
import { createHttpServer } from '../../src/shared/http-server';

const app = express();
app.get('/', (_req, res) => {
  res.send('Hello world');
});
const port = Number(process.env.PORT ?? 3999);
const ready = () => console.log('hello ready');
const server = process.env.HELLO_SERVER === 'app' ? createHttpServer(app).listen(port, ready) : app.listen(port, ready);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
