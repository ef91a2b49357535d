/**
 * The workload checks both mechanisms make on their ServiceAccount link: the reader Deployment and
 * the access-check Job exist (unless deployProbe is off), run as the ServiceAccount, and expect the
 * role the chain grants. The words come from the mechanism's catalogue entries.
 */
import { describeValue } from "../components/errors";
import { type CheckDefinition } from "./catalogueBase";
import { type Subject } from "./catalogueBase";
import { runCheck, type CheckResult } from "./result";
import { type ChainWorkload } from "./snapshot";

/** The catalogue entries a mechanism words its workload checks with. */
export interface WorkloadCheckWords {
  workloadPresent: CheckDefinition<{ kind: string }>;
  workloadServiceAccount: CheckDefinition<{ workload: ChainWorkload; serviceAccount: Subject }>;
  workloadExpectsRole: CheckDefinition<{ workload: ChainWorkload }>;
}

/** The facts the workload checks read. */
export interface WorkloadFacts {
  workloads: ChainWorkload[];
  deployProbe: boolean;
  role?: { arn: string };
}

/** Checks the Deployment and the Job against the ServiceAccount `sa` and the granted role. */
export function workloadChecks(s: WorkloadFacts, sa: Subject, C: WorkloadCheckWords): CheckResult[] {
  const results: CheckResult[] = [];
  for (const kind of ["Deployment", "Job"]) {
    const found = s.workloads.filter((w) => w.kind === kind);
    if (found.length === 0) {
      results.push(
        runCheck(
          C.workloadPresent,
          { kind },
          s.deployProbe ? false : "skip",
          s.deployProbe
            ? `the final account-a run registers no ${kind}`
            : "not deployed (cross-account-irsa:deployProbe: false)",
        ),
      );
    }
    for (const w of found) {
      results.push(
        runCheck(
          C.workloadServiceAccount,
          { workload: w, serviceAccount: sa },
          w.serviceAccountName === sa.name && (w.namespace ?? "default") === sa.namespace,
          `serviceAccountName ${describeValue(w.serviceAccountName)} in namespace ${w.namespace ?? "default"}`,
        ),
      );
    }
  }
  for (const w of s.workloads) {
    const expected = w.env.EXPECTED_ROLE_ARN;
    if (expected !== undefined) {
      results.push(
        runCheck(
          C.workloadExpectsRole,
          { workload: w },
          s.role !== undefined && expected === s.role.arn,
          `EXPECTED_ROLE_ARN ${describeValue(expected)}; role ${s.role?.arn ?? "none"}`,
        ),
      );
    }
  }
  return results;
}
