import net from 'node:net';

/**
 * A TCP port free on loopback now. Another process may take it before the server meant for it
 * binds: whoever starts that server tries another port when the bind fails.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
