// Servers that misbehave the way a PACS can, for the PACS tests' failure cases.
import { createServer, request, type Server } from "node:http";
import type { Socket } from "node:net";

export interface Running {
  url: string;
  close(): Promise<void>;
}

function listen(server: Server, sockets: Set<Socket>): Promise<Running> {
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/**
 * A proxy to `target` that passes searches through but cuts each multipart answer (WADO-RS) to its
 * first half, then ends the response cleanly (chunked, so nothing announces the missing bytes).
 */
export function truncatingProxy(target: string): Promise<Running> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const upstream = request(
      `${target}${req.url}`,
      { method: req.method, headers: { ...req.headers, host: new URL(target).host } },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on("data", (d: Buffer) => chunks.push(d));
        answer.on("end", () => {
          const body = Buffer.concat(chunks);
          const multipart = /multipart/i.test(String(answer.headers["content-type"]));
          const headers = { ...answer.headers };
          delete headers["content-length"];
          delete headers["transfer-encoding"];
          res.writeHead(answer.statusCode ?? 502, headers);
          res.end(multipart ? body.subarray(0, Math.floor(body.length / 2)) : body);
        });
      },
    );
    req.pipe(upstream);
  });
  return listen(server, sockets);
}

/** A server that takes connections and requests and never answers. */
export function silentServer(): Promise<Running> {
  const sockets = new Set<Socket>();
  return listen(
    createServer(() => {}),
    sockets,
  );
}

/** A proxy to `target` that drops QIDO-RS's `offset`: every page it passes on is the first. */
export function offsetIgnoringProxy(target: string): Promise<Running> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", target);
    url.searchParams.delete("offset");
    const upstream = request(
      url,
      { method: req.method, headers: { ...req.headers, host: url.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  return listen(server, sockets);
}
