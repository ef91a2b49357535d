/**
 * `verify`'s diagnosis of a failed access check (and the doctor's, on `--assume`): the mechanism's
 * own diagnoser (`mechanisms/<name>/verify.ts`) finds the link, this adds the mechanism and words it.
 * Below the front ends (deploy/verify.ts and the doctor use it). Pure.
 */
import { type AccessCheckResult } from "../components/accessCheckResult";
import { Mechanism, assertNever } from "../components/mechanism";
import { type AccessCheckRef, type Diagnosis, type LinkDiagnosis } from "./diagnosis";
import { diagnoseIrsa } from "./irsa/verify";
import { diagnoseIrsaChained } from "./irsa-chained/verify";
import { diagnosePodIdentity } from "./pod-identity/verify";
import { linkOf, mechanismModule } from "./registry";

/**
 * The AWS CLI's own error in a failed S3 read's reason, without the check's preamble
 * (`reading s3://<bucket>/<key> as <caller> failed: `): the bucket and key are the user's and must
 * not steer the diagnosis (a key named `kms/404.txt` is not a KMS or missing-object failure).
 */
function s3Error(result: AccessCheckResult): string {
  const preamble = `reading s3://${result.bucket}/${result.key} as ${result.callerArn} failed: `;
  return result.reason.startsWith(preamble) ? result.reason.slice(preamble.length) : result.reason;
}

/** The diagnosis as one report line: the link, what the failure means, and the catalogue's fixes. */
export function diagnosisLine(diagnosis: Diagnosis): string {
  const fixes = diagnosis.checks.map(
    (c, i) => `${i === 0 ? "Fix" : "Or"}: ${c.definition.fix(c.params as never)}.`,
  );
  const text = [diagnosis.advice, ...fixes].join(" ");
  if (diagnosis.link === undefined) return `  cause: ${text}`;
  const link = linkOf(diagnosis.link, diagnosis.mechanism);
  return `  ${mechanismModule(diagnosis.mechanism).title} link ${link.number} (${link.title}): ${text}`;
}

/** Maps a failed (or wrong-role) access-check result to the link of its mechanism's chain it points to. */
export function diagnose(result: AccessCheckResult, check: AccessCheckRef): Diagnosis {
  return { ...diagnoseFor(check.mechanism, result, check, s3Error(result)), mechanism: check.mechanism };
}

/** The diagnosis by the mechanism's own diagnoser (mechanisms/<name>/verify.ts). */
function diagnoseFor(
  mechanism: Mechanism,
  result: AccessCheckResult,
  check: AccessCheckRef,
  error: string,
): LinkDiagnosis {
  switch (mechanism) {
    case Mechanism.Irsa:
      return diagnoseIrsa(result, check, error);
    case Mechanism.PodIdentity:
      return diagnosePodIdentity(result, check, error);
    case Mechanism.IrsaChained:
      return diagnoseIrsaChained(result, check, error);
    default:
      return assertNever(mechanism, "mechanism");
  }
}
