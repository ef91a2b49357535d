/**
 * Both mechanisms' live check of the pods that run as the ServiceAccount: each container's injected
 * environment, judged by the mechanism's rule; skipped when no pod runs as it.
 */
import { type CheckDefinition, type Subject } from "./catalogueBase";
import { runCheck, type CheckResult } from "./result";
import { type LivePod } from "./snapshot";
import { credentialPathOf, describeCredentialPath } from "../components/credentialPath";

/** The two variables the IRSA webhook injects; the SDKs use them before the container credentials. */
export const IRSA_ENV: readonly string[] = ["AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"];

/**
 * The pods check: `problemsOf` names what is wrong with one container's environment (`where` is
 * "pod <name> (created <time>), container <name>"); passes when no container has a problem.
 */
export function checkPods(
  definition: CheckDefinition<Subject>,
  serviceAccount: { namespace: string; name: string } | undefined,
  pods: readonly LivePod[] | undefined,
  problemsOf: (where: string, env: Record<string, string>) => string[],
): CheckResult[] {
  if (pods === undefined || serviceAccount === undefined) return [];
  const p = { namespace: serviceAccount.namespace, name: serviceAccount.name };
  if (pods.length === 0) {
    return [runCheck(definition, p, "skip", `no pod in namespace ${p.namespace} runs as ${p.name}`)];
  }
  const where = (pod: LivePod, c: { name: string }) =>
    `pod ${pod.name}${pod.createdAt ? ` (created ${pod.createdAt})` : ""}, container ${c.name}`;
  const problems = pods.flatMap((pod) => pod.containers.flatMap((c) => problemsOf(where(pod, c), c.env)));
  if (problems.length > 0) return [runCheck(definition, p, false, problems.join("; "))];
  // No problem seen, but what the doctor cannot read could change the path: undecided, not passed.
  const undecided = pods.flatMap((pod) =>
    pod.containers.flatMap((c) =>
      credentialPathOf(c.env, c.envFrom).undecided.map((why) => `${where(pod, c)}: ${why}`),
    ),
  );
  if (undecided.length > 0) return [runCheck(definition, p, "warn", undecided.join("; "))];
  return [runCheck(definition, p, true, `${pods.length} pod(s): ${pods.map(describePod).join("; ")}`)];
}

/**
 * A pod and the credentials its containers' SDKs use ({@link credentialPathOf}): one description
 * when every container takes the same path, else each container's.
 */
export function describePod(pod: LivePod): string {
  const paths = pod.containers.map((c) => ({
    name: c.name,
    path: describeCredentialPath(credentialPathOf(c.env, c.envFrom)),
  }));
  const distinct = new Set(paths.map((p) => p.path));
  if (distinct.size <= 1) return `${pod.name} uses ${paths[0]?.path ?? "no container"}`;
  return `${pod.name}: ${paths.map((p) => `container ${p.name} uses ${p.path}`).join(", ")}`;
}
