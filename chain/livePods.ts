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
  const problems = pods.flatMap((pod) => {
    const created = pod.createdAt ? ` (created ${pod.createdAt})` : "";
    return pod.containers.flatMap((c) => problemsOf(`pod ${pod.name}${created}, container ${c.name}`, c.env));
  });
  return [
    runCheck(
      definition,
      p,
      problems.length === 0,
      problems.length > 0
        ? problems.join("; ")
        : `${pods.length} pod(s): ${pods.map(describePod).join("; ")}`,
    ),
  ];
}

/**
 * A pod and the credentials its containers' SDKs use ({@link credentialPathOf}): one description
 * when every container takes the same path, else each container's.
 */
export function describePod(pod: LivePod): string {
  const paths = pod.containers.map((c) => ({
    name: c.name,
    path: describeCredentialPath(credentialPathOf(c.env)),
  }));
  const distinct = new Set(paths.map((p) => p.path));
  if (distinct.size <= 1) return `${pod.name} uses ${paths[0]?.path ?? "no container"}`;
  return `${pod.name}: ${paths.map((p) => `container ${p.name} uses ${p.path}`).join(", ")}`;
}
