// A private Orthanc (Debian's `orthanc` and `orthanc-dicomweb`, which .ci/run installs) for the PACS
// tests: a loopback HTTP port, no DICOM port, its own storage folder, the DICOMweb plugin on and
// HTTP Basic authentication on.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

/** Where Debian's orthanc-dicomweb package puts the plugin (`dpkg -L orthanc-dicomweb`). */
const DICOMWEB_PLUGIN = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so";
const ORTHANC = "/usr/sbin/Orthanc";

export interface Orthanc {
  /** http://127.0.0.1:PORT */
  url: string;
  /** The DICOMweb root, http://127.0.0.1:PORT/dicom-web */
  dicomWeb: string;
  user: string;
  password: string;
  /** GET/POST/DELETE on Orthanc's own REST API, authenticated; throws on a non-2xx answer. */
  rest<T = unknown>(method: string, route: string, body?: Uint8Array): Promise<T>;
  stop(): Promise<void>;
}

/** A TCP port nothing listens on now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export function orthancInstalled(): string | null {
  if (!existsSync(ORTHANC)) return `${ORTHANC} missing: apt-get install orthanc`;
  if (!existsSync(DICOMWEB_PLUGIN)) return `${DICOMWEB_PLUGIN} missing: apt-get install orthanc-dicomweb`;
  return null;
}

/** Starts Orthanc and waits until its REST API answers /system. */
export async function startOrthanc(): Promise<Orthanc> {
  const missing = orthancInstalled();
  if (missing) throw new Error(missing);
  const dir = mkdtempSync(path.join(tmpdir(), "orthanc-"));
  const port = await freePort();
  const user = "pacs-test";
  const password = `pw-${process.pid}-${port}`;
  const config = {
    Name: "CXRLAB-TEST",
    StorageDirectory: path.join(dir, "storage"),
    IndexDirectory: path.join(dir, "storage"),
    HttpPort: port,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: true,
    RegisteredUsers: { [user]: password },
    DicomServerEnabled: false,
    Plugins: [DICOMWEB_PLUGIN],
    DicomWeb: { Enable: true, Root: "/dicom-web/" },
    HttpRequestTimeout: 30,
  };
  const configFile = path.join(dir, "orthanc.json");
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  let log = "";
  const child: ChildProcess = spawn(ORTHANC, [configFile], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.on("data", (d) => {
    log += d;
  });
  child.stderr?.on("data", (d) => {
    log += d;
  });
  const url = `http://127.0.0.1:${port}`;
  const authorization = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
  const rest = async <T>(method: string, route: string, body?: Uint8Array): Promise<T> => {
    const response = await fetch(`${url}${route}`, { method, headers: { authorization }, body });
    const text = await response.text();
    if (!response.ok) throw new Error(`Orthanc ${method} ${route}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`Orthanc exited with ${child.exitCode} before answering:\n${log}`);
    }
    try {
      await rest("GET", "/system");
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`Orthanc did not answer /system within 30 s (${(error as Error).message}):\n${log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  return { url, dicomWeb: `${url}/dicom-web`, user, password, rest, stop };
}
