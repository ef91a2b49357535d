/**
 * An in-process HTTP stand-in on loopback for the three EKS operations moto 5.2.1 does not implement
 * (its eks/urls.py routes clusters, node groups, Fargate profiles and tags only): DescribeAddon,
 * ListPodIdentityAssociations and DescribePodIdentityAssociation, in EKS's REST-JSON shapes as
 * @aws-sdk/client-eks (de)serializes them: the paths and query parameters of its operation schemas,
 * the JSON member names of Addon, PodIdentityAssociation(Summary), timestamps in epoch seconds, and
 * ResourceNotFoundException as HTTP 404 with the `x-amzn-ErrorType` header and a JSON body with
 * `message` (what the SDK's restJson1 protocol reads the error's type and message from). Every other
 * request (DescribeCluster, CreateCluster) is passed on to moto unchanged. The doctor reaches it
 * through the SDK's own endpoint settings, AWS_ENDPOINT_URL_EKS and AWS_ENDPOINT_URL_IAM: IAM's
 * requests are passed on to moto too, unless a test makes an IAM action fail (`iamFaults`, an
 * awsQuery ErrorResponse as IAM sends it). Every request is recorded, answered or passed on, so the
 * tests prove the doctor sends no write; `pageSize` makes ListPodIdentityAssociations page.
 */
import * as http from "node:http";
import { type AddressInfo } from "node:net";
import { ACCOUNT_A, REGION } from "./moto";

/** An add-on, as DescribeAddon's `addon` (the members the stand-in fills). */
export interface AddonState {
  addonName: string;
  addonVersion: string;
  status: string;
  health: { issues: Array<{ code: string; message: string; resourceIds?: string[] }> };
}

/** A Pod Identity association, as DescribePodIdentityAssociation's `association`. */
export interface AssociationState {
  associationId: string;
  namespace: string;
  serviceAccount: string;
  roleArn: string;
  targetRoleArn?: string;
  disableSessionTags: boolean;
  externalId?: string;
}

/** What the stand-in serves, per cluster name (the clusters are moto's: created there). */
export interface EksState {
  addons: Map<string, AddonState[]>;
  associations: Map<string, AssociationState[]>;
  /** At most this many associations per ListPodIdentityAssociations page (default: maxResults, 100). */
  pageSize?: number;
  /**
   * IAM actions answered with this AWS error code (HTTP 403) instead of moto's answer: by action
   * (`GetRole`), or by action and its role name, policy ARN or provider ARN (`GetRole irsa-reader`).
   */
  iamFaults: Map<string, string>;
  /**
   * EKS requests answered with this error (HTTP 403, as EKS sends AccessDeniedException) instead of
   * moto's or the stand-in's answer, by `<METHOD> <path>` (`GET /clusters/demo`: DescribeCluster).
   */
  eksFaults: Map<string, string>;
}

/** A running EKS stand-in. */
export interface EksStandIn {
  url: string;
  state: EksState;
  /**
   * `<METHOD> <path> (<access key id>)` of every request, answered or passed on to moto; an IAM
   * request as `<METHOD> <path> <Action> (<access key id>)`.
   */
  requests: string[];
  close(): Promise<void>;
}

const EPOCH_SECONDS = Math.floor(Date.UTC(2025, 5, 1, 10) / 1000);

function json(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: http.OutgoingHttpHeaders = {},
) {
  res.writeHead(status, {
    "content-type": "application/json",
    "x-amzn-requestid": "00000000-0000-4000-8000-000000000000",
    ...headers,
  });
  res.end(JSON.stringify(body));
}

function notFound(res: http.ServerResponse, message: string, members: Record<string, string>) {
  json(res, 404, { message, ...members }, { "x-amzn-ErrorType": "ResourceNotFoundException" });
}

/** The access key id a SigV4 Authorization header was signed with. */
function accessKeyOf(req: http.IncomingMessage): string {
  return /Credential=([^/]+)\//.exec(req.headers.authorization ?? "")?.[1] ?? "unsigned";
}

/** An IAM (awsQuery) error, as IAM sends it. */
function iamError(res: http.ServerResponse, code: string, action: string) {
  res.writeHead(403, {
    "content-type": "text/xml",
    "x-amzn-requestid": "00000000-0000-4000-8000-000000000000",
  });
  res.end(
    '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>' +
      `<Code>${code}</Code><Message>User is not authorized to perform: iam:${action}</Message></Error>` +
      "<RequestId>00000000-0000-4000-8000-000000000000</RequestId></ErrorResponse>",
  );
}

/** Passes a request (its body already read) on to moto as it came. */
function forward(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse, moto: URL) {
  const upstream = http.request(
    {
      host: moto.hostname,
      port: moto.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: moto.host },
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on("error", (e) => json(res, 502, { message: `moto: ${e.message}` }));
  upstream.end(body);
}

/** Starts the stand-in in front of moto's endpoint. */
export async function startEks(motoEndpoint: string): Promise<EksStandIn> {
  const moto = new URL(motoEndpoint);
  const state: EksState = {
    addons: new Map(),
    associations: new Map(),
    iamFaults: new Map(),
    eksFaults: new Map(),
  };
  const requests: string[] = [];
  const answer = (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://stand-in");
    const form = req.method === "POST" ? new URLSearchParams(body.toString("utf8")) : undefined;
    const action = form?.get("Action") ?? undefined;
    const target = form?.get("RoleName") ?? form?.get("PolicyArn") ?? form?.get("OpenIDConnectProviderArn");
    requests.push(
      `${req.method} ${url.pathname}${url.search}${action !== undefined ? ` ${action}` : ""} (${accessKeyOf(req)})`,
    );
    const fault =
      action !== undefined
        ? (state.iamFaults.get(`${action} ${target ?? ""}`) ?? state.iamFaults.get(action))
        : undefined;
    if (fault !== undefined) return iamError(res, fault, action!);
    const eksFault = state.eksFaults.get(`${req.method} ${url.pathname}`);
    if (eksFault !== undefined) {
      return json(
        res,
        403,
        { message: `User is not authorized to perform this operation (${eksFault})` },
        { "x-amzn-ErrorType": eksFault },
      );
    }
    const addon = /^\/clusters\/([^/]+)\/addons\/([^/]+)$/.exec(url.pathname);
    const list = /^\/clusters\/([^/]+)\/pod-identity-associations$/.exec(url.pathname);
    const one = /^\/clusters\/([^/]+)\/pod-identity-associations\/([^/]+)$/.exec(url.pathname);
    if (req.method !== "GET" || !(addon || list || one)) return forward(req, body, res, moto);
    const clusterName = decodeURIComponent((addon ?? list ?? one)![1]);
    const clusterKnown = state.addons.has(clusterName) || state.associations.has(clusterName);
    if (!clusterKnown) {
      return notFound(res, `No cluster found for name: ${clusterName}.`, { clusterName });
    }
    if (addon) {
      const addonName = decodeURIComponent(addon[2]);
      const found = (state.addons.get(clusterName) ?? []).find((a) => a.addonName === addonName);
      if (!found) {
        return notFound(res, `No addon: ${addonName} found in cluster: ${clusterName}`, {
          clusterName,
          addonName,
        });
      }
      return json(res, 200, {
        addon: {
          ...found,
          clusterName,
          addonArn: `arn:aws:eks:${REGION}:${ACCOUNT_A}:addon/${clusterName}/${addonName}/0000`,
          createdAt: EPOCH_SECONDS,
          modifiedAt: EPOCH_SECONDS,
          tags: {},
        },
      });
    }
    const associations = state.associations.get(clusterName) ?? [];
    if (list) {
      const namespace = url.searchParams.get("namespace");
      const serviceAccount = url.searchParams.get("serviceAccount");
      const max = Math.min(Number(url.searchParams.get("maxResults") ?? "100"), state.pageSize ?? 100);
      const start = Number(url.searchParams.get("nextToken") ?? "0");
      const matching = associations.filter(
        (a) =>
          (namespace === null || a.namespace === namespace) &&
          (serviceAccount === null || a.serviceAccount === serviceAccount),
      );
      const page = matching.slice(start, start + max);
      return json(res, 200, {
        associations: page.map((a) => ({
          clusterName,
          namespace: a.namespace,
          serviceAccount: a.serviceAccount,
          associationArn: associationArn(clusterName, a.associationId),
          associationId: a.associationId,
        })),
        ...(start + max < matching.length ? { nextToken: String(start + max) } : {}),
      });
    }
    const associationId = decodeURIComponent(one![2]);
    const found = associations.find((a) => a.associationId === associationId);
    if (!found) {
      return notFound(res, `No Pod Identity Association found for id: ${associationId}`, { clusterName });
    }
    return json(res, 200, {
      association: {
        clusterName,
        ...found,
        associationArn: associationArn(clusterName, found.associationId),
        tags: {},
        createdAt: EPOCH_SECONDS,
        modifiedAt: EPOCH_SECONDS,
      },
    });
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => answer(req, Buffer.concat(chunks), res));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function associationArn(clusterName: string, id: string): string {
  return `arn:aws:eks:${REGION}:${ACCOUNT_A}:podidentityassociation/${clusterName}/${id}`;
}
