/**
 * TLS material for the loopback stand-ins (the Kubernetes API server and the OIDC issuer), made in
 * the test with the `openssl` CLI, offline: a throw-away CA and one server certificate for
 * localhost, 127.0.0.1 and the issuer host names the stand-ins answer for.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** A CA and a server certificate signed by it (PEM). */
export interface TestTls {
  ca: string;
  cert: string;
  key: string;
}

/** Makes a CA and a server certificate whose subjectAltName covers `hosts` (and localhost). */
export function makeTls(hosts: string[]): TestTls {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "doctor-tls-"));
  const run = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  try {
    run([
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
      "-days",
      "2",
      "-subj",
      "/CN=doctor test CA",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    run([
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "server.key",
      "-out",
      "server.csr",
      "-subj",
      "/CN=localhost",
    ]);
    const san = ["DNS:localhost", "IP:127.0.0.1", ...hosts.map((h) => `DNS:${h}`)].join(",");
    fs.writeFileSync(
      path.join(dir, "ext.cnf"),
      `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`,
    );
    run([
      "x509",
      "-req",
      "-in",
      "server.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      "server.pem",
      "-days",
      "2",
      "-extfile",
      "ext.cnf",
    ]);
    const read = (f: string) => fs.readFileSync(path.join(dir, f), "utf8");
    return { ca: read("ca.pem"), cert: read("server.pem"), key: read("server.key") };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
