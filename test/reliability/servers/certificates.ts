import fs from "node:fs";
import path from "node:path";
import { run } from "./process-util.js";

/** PEM files made with openssl for the TLS tests (EC P-256 keys: quick to make). */
export interface TestCertificates {
  readonly dir: string;
  /** The CA that signed the server's and the clients' certificates. */
  readonly ca: string;
  /** A CA that signed nothing here: verifying against it must fail. */
  readonly wrongCa: string;
  /** The servers' certificate: CN and subjectAltName IP:127.0.0.1 only, so "localhost" does not match it. */
  readonly serverCert: string;
  readonly serverKey: string;
  /** Client certificate for a user name (CN = user, as PostgreSQL's cert authentication wants). */
  clientCert(user: string): { cert: string; key: string };
}

function ecKey(file: string): void {
  run("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", file]);
}

function makeCa(dir: string, name: string): { cert: string; key: string } {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.crt`);
  ecKey(key);
  run("openssl", ["req", "-x509", "-new", "-key", key, "-out", cert, "-days", "2", "-subj", `/CN=${name}`, "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
  return { cert, key };
}

function issue(dir: string, ca: { cert: string; key: string }, name: string, subject: string, extensions: string): { cert: string; key: string } {
  const key = path.join(dir, `${name}.key`);
  const csr = path.join(dir, `${name}.csr`);
  const cert = path.join(dir, `${name}.crt`);
  const ext = path.join(dir, `${name}.ext`);
  ecKey(key);
  run("openssl", ["req", "-new", "-key", key, "-out", csr, "-subj", subject]);
  fs.writeFileSync(ext, extensions);
  run("openssl", ["x509", "-req", "-in", csr, "-CA", ca.cert, "-CAkey", ca.key, "-CAcreateserial", "-out", cert, "-days", "2", "-extfile", ext]);
  return { cert, key };
}

/** Makes a CA, a second unrelated CA, a server certificate for 127.0.0.1 and client certificates on demand, in `dir`. */
export function makeCertificates(dir: string): TestCertificates {
  fs.mkdirSync(dir, { recursive: true });
  const ca = makeCa(dir, "strata-test-ca");
  const wrong = makeCa(dir, "strata-wrong-ca");
  const server = issue(dir, ca, "server", "/CN=127.0.0.1", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  const clients = new Map<string, { cert: string; key: string }>();
  return {
    dir,
    ca: ca.cert,
    wrongCa: wrong.cert,
    serverCert: server.cert,
    serverKey: server.key,
    clientCert(user) {
      let c = clients.get(user);
      if (!c) {
        c = issue(dir, ca, `client-${user}`, `/CN=${user}`, "extendedKeyUsage=clientAuth\n");
        clients.set(user, c);
      }
      return c;
    },
  };
}
