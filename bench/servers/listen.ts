import http from 'node:http';
import type Koa from 'koa';

/** Listens on 127.0.0.1:$PORT; SIGTERM closes it. */
export async function listen(app: Koa): Promise<void> {
  const server = http.createServer(app.callback());
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', resolve));
  process.once('SIGTERM', () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
