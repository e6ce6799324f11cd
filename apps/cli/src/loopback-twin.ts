import net from "node:net";

/**
 * Makes a server that listens on one loopback address answer on the other family's too: Next
 * takes one --hostname, while a browser on this machine may address `127.0.0.1`, `localhost`
 * (which it may resolve to ::1) or `[::1]`. Each connection to `from` is piped to `to`, byte for
 * byte. Resolves to a function that closes it, or null when `from` cannot be listened on (IPv6
 * off, or the port taken there), which `log` reports.
 */
export async function forwardLoopback(
  from: { host: string; port: number },
  to: { host: string; port: number },
  log: (line: string) => void,
): Promise<(() => Promise<void>) | null> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(to.port, to.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
      socket.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  const listening = await new Promise<boolean>((resolve) => {
    server.once("error", (err: NodeJS.ErrnoException) => {
      log(`serve: not answering on ${hostPort(from)} too (${err.code ?? err.message})`);
      resolve(false);
    });
    server.listen({ host: from.host, port: from.port, exclusive: true }, () => resolve(true));
  });
  if (!listening) return null;
  return () =>
    new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
}

function hostPort({ host, port }: { host: string; port: number }): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
