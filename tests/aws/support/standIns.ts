/**
 * In-process HTTPS stand-ins on loopback for what no test can run here: (1) the few endpoints of a
 * Kubernetes API server the doctor calls (get a ServiceAccount, list a namespace's pods, create a
 * TokenRequest), with the official client's types for the shapes and Kubernetes' Status for errors,
 * bearer-token authentication, and a record of every request; (2) a cluster's OIDC issuer, serving
 * its discovery document and JWKS, whose key signs the TokenRequest tokens (jose).
 */
import { type ServerResponse } from "node:http";
import * as https from "node:https";
import { type AddressInfo } from "node:net";
import {
  type AuthenticationV1TokenRequest,
  type V1ConfigMap,
  type V1DaemonSet,
  type V1Pod,
  type V1PodList,
  type V1ServiceAccount,
  type V1Status,
} from "@kubernetes/client-node";
import { SignJWT, exportJWK, generateKeyPair, type JWK } from "jose";
import { type TestTls } from "./tls";

/** The bearer token the stand-in API server accepts. */
export const KUBE_TOKEN = "doctor-test-token";

/** The cluster state the API stand-in serves. */
export interface KubeState {
  serviceAccounts: V1ServiceAccount[];
  pods: V1Pod[];
  /** DaemonSets (apps/v1), e.g. a self-managed eks-pod-identity-agent; absent: none. */
  daemonSets?: V1DaemonSet[];
  /** ConfigMaps (IRSA with role chaining's SDK config file); absent: none. */
  configMaps?: V1ConfigMap[];
  /** Paths the stand-in answers 403 Forbidden (an RBAC the doctor's identity lacks). */
  forbidden?: string[];
}

/** A running API stand-in. */
export interface KubeStandIn {
  url: string;
  state: KubeState;
  /** `<METHOD> <path>` of every request received. */
  requests: string[];
  /** What the issuer signs tokens as (set per chain). */
  issuer: IssuerStandIn;
  close(): Promise<void>;
}

/** A running issuer stand-in: the cluster's issuer URL it answers for, and its signing key. */
export interface IssuerStandIn {
  port: number;
  /** The issuer URL (the EKS cluster's), set per chain; its host is routed here by the doctor's `resolve`. */
  issuerUrl: string;
  /** When set, the discovery document claims this issuer instead (a broken issuer). */
  claimedIssuer?: string;
  sign(claims: { sub: string; aud: string[]; seconds: number }): Promise<string>;
  close(): Promise<void>;
}

function listen(server: https.Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );
}

function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function status(code: number, reason: string, message: string): V1Status {
  return { apiVersion: "v1", kind: "Status", status: "Failure", code, reason, message, metadata: {} };
}

/** Starts the OIDC issuer stand-in. */
export async function startIssuer(tls: TestTls): Promise<IssuerStandIn> {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: "doctor-test-key", alg: "RS256", use: "sig" };
  const self: Partial<IssuerStandIn> = { issuerUrl: "https://unset.invalid" };
  const server = https.createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    const base = new URL(self.issuerUrl!);
    const path = (req.url ?? "").split("?")[0];
    if (path === `${base.pathname}/.well-known/openid-configuration`) {
      return send(res, 200, {
        issuer: self.claimedIssuer ?? self.issuerUrl,
        jwks_uri: `${self.issuerUrl}/keys`,
        authorization_endpoint: "urn:kubernetes:programmatic_authorization",
        response_types_supported: ["id_token"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
        claims_supported: ["sub", "iss"],
      });
    }
    if (path === `${base.pathname}/keys`) return send(res, 200, { keys: [jwk] });
    send(res, 404, { message: "not found" });
  });
  const port = await listen(server);
  return Object.assign(self, {
    port,
    sign: ({ sub, aud, seconds }: { sub: string; aud: string[]; seconds: number }) =>
      new SignJWT({
        "kubernetes.io": { namespace: sub.split(":")[2], serviceaccount: { name: sub.split(":")[3] } },
      })
        .setProtectedHeader({ alg: "RS256", kid: jwk.kid })
        .setIssuer(self.issuerUrl!)
        .setSubject(sub)
        .setAudience(aud)
        .setIssuedAt()
        .setExpirationTime(`${seconds}s`)
        .sign(privateKey),
    close: () => new Promise<void>((r) => server.close(() => r())),
  }) as IssuerStandIn;
}

/** Starts the Kubernetes API stand-in. */
export async function startKube(tls: TestTls, issuer: IssuerStandIn): Promise<KubeStandIn> {
  const state: KubeState = { serviceAccounts: [], pods: [] };
  const requests: string[] = [];
  const server = https.createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    const path = (req.url ?? "").split("?")[0];
    requests.push(`${req.method} ${path}`);
    if (req.headers.authorization !== `Bearer ${KUBE_TOKEN}`) {
      return send(res, 401, status(401, "Unauthorized", "Unauthorized"));
    }
    if (state.forbidden?.includes(path)) {
      return send(res, 403, status(403, "Forbidden", `forbidden: ${req.method} ${path}`));
    }
    const ds = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/daemonsets\/([^/]+)$/.exec(path);
    if (ds && req.method === "GET") {
      const found = (state.daemonSets ?? []).find(
        (d) => d.metadata?.namespace === ds[1] && d.metadata?.name === ds[2],
      );
      return found
        ? send(res, 200, found)
        : send(res, 404, status(404, "NotFound", `daemonsets.apps "${ds[2]}" not found`));
    }
    const cm = /^\/api\/v1\/namespaces\/([^/]+)\/configmaps\/([^/]+)$/.exec(path);
    if (cm && req.method === "GET") {
      const found = (state.configMaps ?? []).find(
        (c) => c.metadata?.namespace === cm[1] && c.metadata?.name === cm[2],
      );
      return found
        ? send(res, 200, found)
        : send(res, 404, status(404, "NotFound", `configmaps "${cm[2]}" not found`));
    }
    const sa = /^\/api\/v1\/namespaces\/([^/]+)\/serviceaccounts\/([^/]+)(\/token)?$/.exec(path);
    const pods = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(path);
    const find = (ns: string, name: string) =>
      state.serviceAccounts.find((s) => s.metadata?.namespace === ns && s.metadata?.name === name);
    if (sa && !sa[3] && req.method === "GET") {
      const found = find(sa[1], sa[2]);
      return found
        ? send(res, 200, found)
        : send(res, 404, status(404, "NotFound", `serviceaccounts "${sa[2]}" not found`));
    }
    if (pods && req.method === "GET") {
      const list: V1PodList = {
        apiVersion: "v1",
        kind: "PodList",
        metadata: { resourceVersion: "1" },
        items: state.pods.filter((p) => p.metadata?.namespace === pods[1]),
      };
      return send(res, 200, list);
    }
    if (sa && sa[3] && req.method === "POST") {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        if (!find(sa[1], sa[2])) {
          return send(res, 404, status(404, "NotFound", `serviceaccounts "${sa[2]}" not found`));
        }
        const request = JSON.parse(body) as AuthenticationV1TokenRequest;
        const audiences = request.spec.audiences ?? [];
        const seconds = request.spec.expirationSeconds ?? 3600;
        void issuer
          .sign({ sub: `system:serviceaccount:${sa[1]}:${sa[2]}`, aud: audiences, seconds })
          .then((token) => {
            const out: AuthenticationV1TokenRequest = {
              ...request,
              metadata: { name: sa[2], namespace: sa[1] },
              status: { token, expirationTimestamp: new Date(Date.now() + seconds * 1000) },
            };
            send(res, 201, out);
          });
      });
      return;
    }
    send(
      res,
      404,
      status(404, "NotFound", `the server could not find the requested resource (${req.method} ${path})`),
    );
  });
  const port = await listen(server);
  return {
    url: `https://127.0.0.1:${port}`,
    state,
    requests,
    issuer,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A kubeconfig (YAML-compatible JSON) for the API stand-in. */
export function kubeconfigFor(kube: KubeStandIn, tls: TestTls): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: "stand-in",
        cluster: { server: kube.url, "certificate-authority-data": Buffer.from(tls.ca).toString("base64") },
      },
    ],
    users: [{ name: "doctor", user: { token: KUBE_TOKEN } }],
    contexts: [{ name: "stand-in", context: { cluster: "stand-in", user: "doctor" } }],
    "current-context": "stand-in",
  });
}
