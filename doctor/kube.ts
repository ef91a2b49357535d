/**
 * The doctor's Kubernetes calls, through @kubernetes/client-node: read the ServiceAccount, list the
 * pods of its namespace, and (for --assume only) ask the TokenRequest API for a token. Every request
 * is recorded, so tests can prove that a default run only reads. I/O shell: no checks here.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type * as KubernetesClient from "@kubernetes/client-node";
import { readRegularFile, UnreadableFileError } from "../io/regularFile";
import {
  type KubeConfig,
  type V1ConfigMap,
  type V1DaemonSet,
  type V1Pod,
  type V1ServiceAccount,
} from "@kubernetes/client-node";
import { type Recorder } from "./aws";

/**
 * A kubeconfig or context the doctor cannot use: a usage error (exit 2).
 *
 * @internal exported for the tests only
 */
export class KubeconfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KubeconfigError";
  }
}

/** The three calls the doctor makes to the API server. */
export interface KubeApi {
  /** Where the calls go (the context and server), for messages. */
  readonly where: string;
  /** The ServiceAccount, or undefined when it does not exist (404). */
  readServiceAccount(namespace: string, name: string): Promise<V1ServiceAccount | undefined>;
  /** All pods of the namespace. */
  listPods(namespace: string): Promise<V1Pod[]>;
  /**
   * A ConfigMap, or undefined when it does not exist (404): IRSA with role chaining's SDK config file.
   * Optional: a client without it leaves that fact unread (said so), never guessed.
   */
  readConfigMap?(namespace: string, name: string): Promise<V1ConfigMap | undefined>;
  /** A DaemonSet (apps/v1), or undefined when it does not exist (404). */
  readDaemonSet(namespace: string, name: string): Promise<V1DaemonSet | undefined>;
  /** A token for the ServiceAccount from the TokenRequest API (a create call: --assume only). */
  requestToken(namespace: string, name: string, audience: string, seconds: number): Promise<string>;
}

/** Where the kubeconfig comes from. */
export interface KubeSettings {
  /** A kubeconfig file (--kubeconfig). */
  file?: string;
  /** A kubeconfig's content (account-a's kubeconfig output), when no file is given. */
  content?: string;
  /** The context to use (--context); default: the kubeconfig's current context. */
  context?: string;
  record: Recorder;
}

/** A Kubernetes API error as one line: the HTTP status and the Status message. */
export function kubeErrorText(error: unknown): string {
  const e = error as { code?: unknown; body?: unknown; message?: unknown };
  if (typeof e?.code === "number") {
    let message = "";
    try {
      const body = typeof e.body === "string" ? (JSON.parse(e.body) as unknown) : e.body;
      if (
        body !== null &&
        typeof body === "object" &&
        typeof (body as { message?: unknown }).message === "string"
      ) {
        message = (body as { message: string }).message;
      }
    } catch {
      message = typeof e.body === "string" ? e.body.slice(0, 200) : "";
    }
    return `HTTP ${e.code}${message ? `: ${message}` : ""}`;
  }
  return error instanceof Error ? error.message : String(error);
}

function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown })?.code;
  return typeof code === "number" ? code : undefined;
}

/**
 * Why a kubeconfig could not be loaded, without its content: a YAML error's message quotes the lines
 * around the mistake (a `token:` or a client key among them), so only its reason and line are kept;
 * any other error gives its first line.
 */
export function loadErrorText(error: unknown): string {
  const e = error as { reason?: unknown; mark?: { line?: unknown } } | null;
  if (e !== null && typeof e === "object" && typeof e.reason === "string") {
    const line = typeof e.mark?.line === "number" ? ` at line ${e.mark.line + 1}` : "";
    return `${e.reason}${line}`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0];
}

/** The largest kubeconfig the doctor reads: far above any real one, and a bound on what it takes in. */
export const MAX_KUBECONFIG_BYTES = 1024 * 1024;

/**
 * Reads a kubeconfig file, refusing what is not a regular file (a FIFO or /dev/zero would block or
 * never end) and what is over {@link MAX_KUBECONFIG_BYTES} (io/regularFile.ts).
 */
export function readKubeconfigFile(file: string): string {
  try {
    return readRegularFile(file, MAX_KUBECONFIG_BYTES);
  } catch (e) {
    if (!(e instanceof UnreadableFileError)) throw e;
    const why = e.why;
    switch (why.problem) {
      case "not-regular":
        throw new KubeconfigError(`the kubeconfig ${file} is ${why.kind}, not a kubeconfig file`);
      case "too-large":
        throw new KubeconfigError(
          `the kubeconfig ${file} is larger than ${why.maxBytes} bytes: not a kubeconfig file`,
        );
      case "error":
        throw new KubeconfigError(
          `cannot read the kubeconfig ${file}: ` +
            (why.code === "ENOENT" ? "no such file" : why.code === "EACCES" ? "permission denied" : why.code),
        );
    }
  }
}

/**
 * The files the client's default loading reads (KUBECONFIG's list, else ~/.kube/config), checked as
 * {@link readKubeconfigFile} checks one before the client reads them.
 */
function checkDefaultFiles(): void {
  const list = process.env.KUBECONFIG;
  const files =
    list !== undefined && list !== ""
      ? list.split(path.delimiter).filter((f) => f !== "")
      : [path.join(os.homedir(), ".kube", "config")];
  for (const file of files) if (fs.existsSync(file)) readKubeconfigFile(file);
}

/** Loads a kubeconfig's text, with one-line errors for an empty or non-kubeconfig document. */
function loadText(kc: KubeConfig, text: string, source: string): void {
  if (text.trim() === "") throw new KubeconfigError(`the kubeconfig ${source} is empty`);
  try {
    kc.loadFromString(text);
  } catch (error) {
    // The client reads fields of what the YAML gives without looking: a TypeError means no mapping.
    throw new KubeconfigError(
      error instanceof TypeError
        ? `the kubeconfig ${source} is not a kubeconfig (a YAML mapping with clusters, contexts and users)`
        : `cannot read the kubeconfig ${source}: ${loadErrorText(error)}`,
    );
  }
}

/** The Kubernetes API as the kubeconfig (and context) say. Throws a {@link KubeconfigError} on a bad one. */
export function kubeApi(settings: KubeSettings): KubeApi {
  // Loaded when the cluster is read, not with this module: `--no-cluster` and `--help` never load it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { AppsV1Api, CoreV1Api, KubeConfig } = require("@kubernetes/client-node") as typeof KubernetesClient;
  const kc = new KubeConfig();
  if (settings.file !== undefined) {
    loadText(kc, readKubeconfigFile(settings.file), settings.file);
  } else if (settings.content !== undefined) {
    loadText(kc, settings.content, "account-a's kubeconfig output");
  } else {
    checkDefaultFiles();
    try {
      kc.loadFromDefault();
    } catch (error) {
      throw new KubeconfigError(
        error instanceof TypeError
          ? "the default kubeconfig (KUBECONFIG, or ~/.kube/config) is empty or not a kubeconfig"
          : `cannot read the kubeconfig (default): ${loadErrorText(error)}`,
      );
    }
  }
  if (settings.context !== undefined) {
    if (kc.getContextObject(settings.context) === null) {
      const known = kc.getContexts().map((c) => c.name);
      throw new KubeconfigError(
        `--context ${settings.context} is not in the kubeconfig (it has ${known.join(", ") || "no contexts"})`,
      );
    }
    kc.setCurrentContext(settings.context);
  }
  const cluster = kc.getCurrentCluster();
  if (cluster === null) {
    throw new KubeconfigError(
      `the kubeconfig has no cluster for context "${kc.getCurrentContext() || "(none)"}": pass --kubeconfig and --context, or --no-cluster`,
    );
  }
  const api = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const record = (method: string, path: string) => settings.record(`k8s ${method} ${path}`);
  return {
    where: `context ${kc.getCurrentContext()} (${cluster.server})`,
    async readServiceAccount(namespace, name) {
      record("GET", `/api/v1/namespaces/${namespace}/serviceaccounts/${name}`);
      try {
        return await api.readNamespacedServiceAccount({ name, namespace });
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },
    async readConfigMap(namespace, name) {
      record("GET", `/api/v1/namespaces/${namespace}/configmaps/${name}`);
      try {
        return await api.readNamespacedConfigMap({ name, namespace });
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },
    async readDaemonSet(namespace, name) {
      record("GET", `/apis/apps/v1/namespaces/${namespace}/daemonsets/${name}`);
      try {
        return await apps.readNamespacedDaemonSet({ name, namespace });
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },
    async listPods(namespace) {
      record("GET", `/api/v1/namespaces/${namespace}/pods`);
      const list = await api.listNamespacedPod({ namespace });
      return list.items;
    },
    async requestToken(namespace, name, audience, seconds) {
      record("POST", `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`);
      const out = await api.createNamespacedServiceAccountToken({
        name,
        namespace,
        body: {
          apiVersion: "authentication.k8s.io/v1",
          kind: "TokenRequest",
          spec: { audiences: [audience], expirationSeconds: seconds },
        },
      });
      const token = out.status?.token;
      if (typeof token !== "string" || token === "")
        throw new Error("the TokenRequest response has no token");
      return token;
    },
  };
}
