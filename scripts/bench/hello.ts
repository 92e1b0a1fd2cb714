// The baseline of the HTTP measurements: a bare Express "hello world" on the same Node and machine.
import express from 'express';

const app = express();
app.get('/', (_req, res) => {
  res.send('Hello world');
});
const server = app.listen(Number(process.env.PORT ?? 3999), () => console.log('hello ready'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
