// The dashboard's production server (started by `cxrlab serve`): Next's request handler behind a
// plain node:http server, for one reason: the client address. `next start` passes a client's own
// X-Forwarded-For header on to the app, so a client could rotate it past the sign-in rate limit and
// write any address into the audit log. Here the header is replaced by the address the request
// really came from: the socket's, or, when the socket is a trusted proxy, the nearest address in
// the proxy's chain that is not one.
//
//   node server.mjs --hostname H --port P [--trusted-proxies 10.0.0.2,10.1.0.0/16]
import http from "node:http";
import { parseArgs } from "node:util";
import next from "next";
import { clientAddress, proxyList } from "./client-address.mjs";

async function main() {
  const { values } = parseArgs({
    options: {
      hostname: { type: "string" },
      port: { type: "string" },
      "trusted-proxies": { type: "string", default: "" },
    },
  });
  const hostname = values.hostname ?? "127.0.0.1";
  const port = Number(values.port ?? 3000);
  const trusted = proxyList(values["trusted-proxies"].split(",").filter(Boolean));
  const app = next({ dev: false, dir: import.meta.dirname, hostname, port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const server = http.createServer((request, response) => {
    const forwarded = request.headers["x-forwarded-for"];
    request.headers["x-forwarded-for"] = clientAddress(
      request.socket.remoteAddress,
      Array.isArray(forwarded) ? forwarded.join(",") : forwarded,
      trusted,
    );
    delete request.headers["x-real-ip"];
    handle(request, response);
  });
  server.listen(port, hostname, () => console.log(`dashboard server listening on ${hostname}:${port}`));
  // Open keep-alive connections would hold close() up: idle ones go now, busy ones get a moment.
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 5_000).unref();
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

if (process.argv[1] && import.meta.filename === process.argv[1]) await main();
