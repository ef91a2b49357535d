/**
 * `npm run verify`'s command: reads account-a's outputs and runs the access check of a single-grant
 * stack (verify.ts, as always) or, with account-a in grants mode, of every grant it binds (or the one
 * `--grant` selects): each grant's Job read and reported under the grant's name, the run failing when
 * any grant's check fails. account-a's `grants` output is read strictly (stacks/grantsOutputs.ts).
 */
import { InputError } from "../components/errors";
import { outputValues, type StackOutputs } from "../cli/shared/workspace";
import { exportedMode } from "../stacks/grantsMode";
import { type AccountAGrant, parseAccountAGrants } from "../stacks/grantsOutputs";
import { type AccessCheckRef, type VerifyDeps, readVerifyInputs, runVerify } from "./verify";

/** One grant's access check, or why it has none. */
export interface GrantCheck {
  key: string;
  grant: AccountAGrant;
  /** Its access check; undefined when account-a deploys none for it (`deployProbe: false`, or no probe object). */
  check?: AccessCheckRef;
}

/** What verify reads from account-a in grants mode, or why it cannot (`usage`: a bad `--grant`). */
export type GrantsVerifyInputs =
  { ok: true; grants: GrantCheck[]; kubeconfig: string } | { ok: false; reason: string; usage?: boolean };

/**
 * Reads the grants' access checks from account-a's outputs in grants mode (`selected`: only that
 * grant). Pure.
 *
 * @internal exported for the tests only
 */
export function readGrantsVerifyInputs(
  outputs: StackOutputs,
  stackA: string,
  resumeCommand: string,
  selected: string | undefined,
): GrantsVerifyInputs {
  if (outputs.grants === undefined) {
    return {
      ok: false,
      reason:
        `${stackA} has no grants output: it binds its grants once account-b has outputs. ` +
        `Run \`${resumeCommand}\` (its third phase deploys the bindings and their access-check Jobs).`,
    };
  }
  let grants: AccountAGrant[];
  try {
    grants = parseAccountAGrants(stackA, outputs.grants.value);
  } catch (error) {
    if (error instanceof InputError) return { ok: false, reason: error.message };
    throw error;
  }
  if (grants.length === 0) {
    return {
      ok: false,
      reason:
        `${stackA} binds no grant yet (its grants output is empty: it was deployed before account-b had outputs). ` +
        `Run \`${resumeCommand}\` (its third phase deploys the bindings and their access-check Jobs).`,
    };
  }
  if (selected !== undefined && !grants.some((g) => g.key === selected)) {
    return {
      ok: false,
      usage: true,
      reason: `--grant: "${selected}" is not a grant ${stackA} binds: one of ${grants.map((g) => g.key).join(", ")}`,
    };
  }
  const kubeconfig = outputs.kubeconfig?.value;
  if (kubeconfig === undefined || kubeconfig === null || kubeconfig === "") {
    return { ok: false, reason: `${stackA} has no kubeconfig output, so the cluster cannot be reached` };
  }
  return {
    ok: true,
    kubeconfig: typeof kubeconfig === "string" ? kubeconfig : JSON.stringify(kubeconfig),
    grants: grants
      .filter((g) => selected === undefined || g.key === selected)
      .map((grant) => ({
        key: grant.key,
        grant,
        ...(grant.accessCheck !== undefined
          ? {
              check: {
                ...grant.accessCheck,
                // The Job's pods take the binding's podCredentialPath: that mechanism's source is expected.
                mechanism: grant.podCredentialPath,
                serviceAccount: grant.serviceAccount,
              },
            }
          : {}),
      })),
  };
}

/** A line of the report, and whether it goes to stdout (true) or stderr. */
export interface ReportLine {
  text: string;
  ok: boolean;
}

/**
 * Runs each grant's access check (verify.ts's `runVerify`) and reports it under the grant's name;
 * `ok` only when every grant was checked and passed. A grant without an access check is reported as
 * not verified and fails the run, as a single-grant stack without its `accessCheck` output does
 * (`deployProbe: false`): verify never passes what it did not check. The other grants are still
 * read and reported; `--grant <key>` verifies the ones that have a check.
 */
export async function runVerifyGrants(
  deps: VerifyDeps,
  inputs: { grants: GrantCheck[]; kubeconfig: string },
  selected: string | undefined,
): Promise<{ ok: boolean; lines: ReportLine[] }> {
  const lines: ReportLine[] = [];
  const failed: string[] = [];
  const unchecked: string[] = [];
  for (const { key, grant, check } of inputs.grants) {
    const head = `grant ${key} (${grant.mechanisms.join(" + ")}; pods use ${grant.podCredentialPath}):`;
    if (check === undefined) {
      unchecked.push(key);
      lines.push({
        text: `${head} NOT VERIFIED: account-a deploys no access check for it (deployProbe: false, or the grant has no probe object)`,
        ok: false,
      });
      continue;
    }
    // The grant's key: a failure's advice names the grant's fields (grants[<i>].<field>), not single-grant keys.
    const report = await runVerify(deps, { ...check, grant: key }, inputs.kubeconfig);
    if (!report.ok) failed.push(key);
    lines.push(
      { text: head, ok: report.ok },
      ...report.lines.map((l) => ({ text: `  ${l}`, ok: report.ok })),
    );
  }
  const checked = inputs.grants.length - unchecked.length;
  const skipped =
    unchecked.length > 0
      ? `; not verified (no access check): ${unchecked.join(", ")} (give the grant an objectKey on account-b and ` +
        `deployProbe on account-a${selected === undefined ? ", or verify the others with --grant <key>" : ""})`
      : "";
  if (checked === 0) {
    lines.push({ text: `verify: FAILED, no grant has an access check to read${skipped}`, ok: false });
    return { ok: false, lines };
  }
  if (failed.length > 0) {
    lines.push({
      text: `verify: FAILED for ${failed.length} of ${checked} grant(s): ${failed.join(", ")}${skipped}`,
      ok: false,
    });
    return { ok: false, lines };
  }
  if (unchecked.length > 0) {
    lines.push({
      text: `verify: FAILED, ${checked} grant(s) read their object but ${unchecked.length} not verified${skipped}`,
      ok: false,
    });
    return { ok: false, lines };
  }
  lines.push({ text: `verify: OK, ${checked} grant(s) read their object`, ok: true });
  return { ok: true, lines };
}

/**
 * The verify command on account-a's outputs: single-grant stacks as verify.ts always did, grants
 * mode grant by grant. Returns the lines to print (stdout or stderr) and the exit status: 0 every
 * grant checked and passed, 1 a check failed, a grant has no access check, or the outputs cannot be
 * verified, 2 a `--grant` the outputs do not have.
 */
export async function verifyOutputs(
  deps: VerifyDeps,
  outputs: StackOutputs,
  stackA: string,
  resumeCommand: string,
  selected: string | undefined,
): Promise<{ code: 0 | 1 | 2; lines: ReportLine[] }> {
  let mode;
  try {
    mode = exportedMode(stackA, outputValues(outputs), Object.keys(outputs).length > 0);
  } catch (error) {
    if (error instanceof InputError)
      return { code: 1, lines: [{ text: `error: ${error.message}`, ok: false }] };
    throw error;
  }
  if (mode !== "grants") {
    if (selected !== undefined) {
      return {
        code: 2,
        lines: [
          {
            text: `error: --grant selects a grant of a stack in grants mode: ${stackA} is a single-grant stack (no mode output); drop --grant`,
            ok: false,
          },
        ],
      };
    }
    const inputs = readVerifyInputs(outputs, stackA, resumeCommand);
    if (!inputs.ok) return { code: 1, lines: [{ text: `error: ${inputs.reason}`, ok: false }] };
    const report = await runVerify(deps, inputs.check, inputs.kubeconfig);
    return { code: report.ok ? 0 : 1, lines: report.lines.map((text) => ({ text, ok: report.ok })) };
  }
  const inputs = readGrantsVerifyInputs(outputs, stackA, resumeCommand, selected);
  if (!inputs.ok)
    return { code: inputs.usage ? 2 : 1, lines: [{ text: `error: ${inputs.reason}`, ok: false }] };
  const report = await runVerifyGrants(deps, inputs, selected);
  return { code: report.ok ? 0 : 1, lines: report.lines };
}
