/**
 * The order of `npm run deploy`'s updates, decided before any `up` from what the orchestrator reads
 * without running a program: both stacks' config and both stacks' current outputs. In grants mode
 * each program refuses the wrong order before registering anything: account-a refuses to bind a grant
 * key, a mechanism or a ServiceAccount account-b's deployed `grants` output does not trust yet
 * (stacks/accountAGrantsLinks.ts `planGrantBindings`), and account-b refuses to stop trusting a key,
 * a mechanism or a ServiceAccount account-a's deployed `grants` output still binds
 * (stacks/accountBGrantsChecks.ts `checkStillTrusted`). This module replays exactly those checks on each candidate order, with the
 * programs' own parsers (stacks/accountAGrantsConfig.ts, stacks/accountBGrantsConfig.ts,
 * stacks/grantsOutputs.ts), and picks the first order every update of which passes. The switch of a
 * deployed single-grant pair to grants mode is one such change (stacks/modeSwitch.ts). Pure.
 */
import { type StackConfigValues } from "../cli/shared/workspace";
import { type Mechanism } from "../components/mechanism";
import { type ServiceAccountRef } from "../components/trustPolicy";
import { parseAccountAGrantsConfig } from "../stacks/accountAGrantsConfig";
import { parseAccountBGrantsConfig } from "../stacks/accountBGrantsConfig";
import { configGetters } from "../stacks/configSource";
import { checkModesMatch, checkOtherStackMode, exportedMode, isGrantsMode } from "../stacks/grantsMode";
import { parseAccountAGrants, parseAccountBGrantsOutputs } from "../stacks/grantsOutputs";
import { singleGrantAccountB } from "../stacks/modeSwitch";

/** One side of the pair: `a` (the cluster and the bindings) or `b` (the grants). */
export type Side = "a" | "b";

/** What the decision reads: for each side, the stack's fully qualified name, its config and its output values. */
export interface DeployOrderInputs {
  /** Fully qualified `<org>/<project>/<stack>` names (the programs' StackReferences and messages use them). */
  qualified: Record<Side, string>;
  config: Record<Side, StackConfigValues>;
  /** The stacks' current output values (`{}`: never deployed). */
  outputs: Record<Side, Record<string, unknown>>;
}

/**
 * The decision: the updates in order, why (one line), and what each program would refuse if its
 * stack went first (`refusedFirst.a`: what account-a's config binds that account-b's deployed grants
 * do not trust yet; `refusedFirst.b`: what account-b's config stops trusting that account-a's deployed
 * bindings still set up; each `[]` when none); or why no order works.
 */
export type DeployOrder =
  | { ok: true; order: Side[]; reason: string; refusedFirst: Record<Side, string[]> }
  | { ok: false; reason: string };

/** A grant as account-b trusts it: its mechanisms and ServiceAccounts (`namespace/name`). */
interface Trust {
  mechanisms: readonly Mechanism[];
  serviceAccounts: readonly string[];
}

/** A grant as account-a binds it: its mechanisms and ServiceAccount (undefined: the grant's only one). */
interface Binding {
  key: string;
  mechanisms: readonly Mechanism[];
  serviceAccount?: string;
}

/**
 * What both stacks hold between two updates (undefined: the stack has no outputs yet, or none the
 * other program reads in grants mode: `bound` undefined for a single-grant account-a, `trusted` for a
 * single-grant account-b), and whether account-b is still deployed in single-grant mode (`switching`).
 */
interface PairState {
  bound?: readonly Binding[];
  trusted?: ReadonlyMap<string, Trust>;
  switching?: boolean;
  /** account-a is deployed in single-grant mode (then `switching`: else readPair refuses it). */
  singleGrantA?: boolean;
}

/** The target: what each stack's config says, parsed as its program parses it. */
interface Target {
  bindings: readonly Binding[];
  trust: ReadonlyMap<string, Trust>;
}

/** The first-deploy order: account-a (the cluster), account-b (the grants), account-a (the bindings). */
export const FIRST_DEPLOY_ORDER: readonly Side[] = ["a", "b", "a"];

/** The orders tried, best first: each ends with account-a, so it reads account-b's final outputs. */
const CANDIDATES: readonly (readonly Side[])[] = [["b", "a"], FIRST_DEPLOY_ORDER];

const pair = (sa: ServiceAccountRef): string => `${sa.namespace}/${sa.name}`;

/**
 * Why account-a's update refuses its config's bindings against account-b's trust `trusted`
 * (`planGrantBindings`' key, mechanism and ServiceAccount checks), one item each, `[]` when it binds.
 */
function refusedByA(bindings: readonly Binding[], trusted: ReadonlyMap<string, Trust>): string[] {
  const problems: string[] = [];
  for (const b of bindings) {
    const trust = trusted.get(b.key);
    if (trust === undefined) {
      problems.push(`grant "${b.key}"`);
      continue;
    }
    const missing = b.mechanisms.filter((m) => !trust.mechanisms.includes(m));
    if (missing.length > 0) problems.push(`grant "${b.key}" ${missing.join(", ")}`);
    if (b.serviceAccount !== undefined && !trust.serviceAccounts.includes(b.serviceAccount)) {
      problems.push(`grant "${b.key}" service account ${b.serviceAccount}`);
    } else if (b.serviceAccount === undefined && trust.serviceAccounts.length !== 1) {
      problems.push(
        `grant "${b.key}" (no serviceAccount set: the grant trusts ${trust.serviceAccounts.length})`,
      );
    }
  }
  return problems;
}

/** What account-a's bindings are once its update ran against `trusted` (a default ServiceAccount resolved). */
function boundAfterA(bindings: readonly Binding[], trusted: ReadonlyMap<string, Trust>): Binding[] {
  return bindings.map((b) => ({
    ...b,
    serviceAccount: b.serviceAccount ?? trusted.get(b.key)?.serviceAccounts[0],
  }));
}

/**
 * Why account-b's update refuses to stop trusting what account-a still binds (`checkStillTrusted`:
 * keys, mechanisms and the bound ServiceAccount), one item each, `[]` when it passes.
 */
function refusedByB(bound: readonly Binding[], trust: ReadonlyMap<string, Trust>): string[] {
  const problems: string[] = [];
  for (const b of bound) {
    const t = trust.get(b.key);
    if (t === undefined) problems.push(`grant "${b.key}"`);
    else {
      const dropped = b.mechanisms.filter((m) => !t.mechanisms.includes(m));
      if (dropped.length > 0) problems.push(`grant "${b.key}" ${dropped.join(", ")}`);
      if (b.serviceAccount !== undefined && !t.serviceAccounts.includes(b.serviceAccount)) {
        problems.push(`grant "${b.key}" service account ${b.serviceAccount}`);
      }
    }
  }
  return problems;
}

/** The first update of `order` that is refused from `start`, and why; undefined when every one passes. */
function firstRefusal(
  order: readonly Side[],
  start: PairState,
  target: Target,
): { index: number; problems: string[] } | undefined {
  let state = start;
  for (const [index, side] of order.entries()) {
    if (side === "a") {
      // Before account-b has outputs account-a registers its cluster only (exports `grants: {}`).
      if (state.trusted === undefined) {
        state = { ...state, bound: [] };
        continue;
      }
      const problems = refusedByA(target.bindings, state.trusted);
      if (problems.length > 0) return { index, problems };
      state = { ...state, bound: boundAfterA(target.bindings, state.trusted) };
    } else {
      // account-b trusts account-a's cluster by its issuer and ARN: its outputs.
      if (state.bound === undefined) return { index, problems: [] };
      const problems = refusedByB(state.bound, target.trust);
      if (problems.length > 0) return { index, problems };
      state = { ...state, trusted: target.trust };
    }
  }
  return undefined;
}

/** The stack pair's names for the one-line reasons. */
export interface StackNames {
  a: string;
  b: string;
}

const list = (items: readonly string[]): string => items.join("; ");

/**
 * Reads both configs and both stacks' outputs with the programs' own parsers (a config or an output
 * the programs would refuse throws the same `InputError`, before anything runs), or undefined when
 * the pair is not in grants mode.
 */
function readPair(inputs: DeployOrderInputs): { start: PairState; target: Target } | undefined {
  const settings = {
    a: configGetters(inputs.config.a.config, inputs.config.a.secretKeys),
    b: configGetters(inputs.config.b.config, inputs.config.b.secretKeys),
  };
  if (!isGrantsMode(settings.a) || !isGrantsMode(settings.b)) return undefined;
  const organization = (side: Side) => inputs.qualified[side].split("/")[0];
  const a = parseAccountAGrantsConfig(settings.a, organization("a"));
  const b = parseAccountBGrantsConfig(settings.b, organization("b"));
  const target: Target = {
    bindings: a.grants.map((g) => ({
      key: g.key,
      mechanisms: g.mechanisms,
      ...(g.serviceAccount !== undefined ? { serviceAccount: pair(g.serviceAccount) } : {}),
    })),
    trust: new Map(
      b.grants.map((g) => [
        g.key,
        { mechanisms: g.mechanisms, serviceAccounts: g.serviceAccounts.map(pair) },
      ]),
    ),
  };
  const raw = inputs.outputs;
  // The mode checks both programs make of the other stack's outputs. account-a in grants mode reads an
  // account-b still deployed in single-grant mode as one with no grants yet (the switch of a deployed
  // pair: stacks/modeSwitch.ts); account-b in grants mode refuses a single-grant account-a (it then
  // waits for account-a's update: `bound` stays undefined). Any other mix is refused by both.
  const switching = singleGrantAccountB(inputs.qualified.b, raw.b) !== undefined;
  const deployedB = switching
    ? undefined
    : parseAccountBGrantsOutputs({ self: inputs.qualified.a, accountB: inputs.qualified.b }, raw.b);
  const aDeployed = Object.keys(raw.a).length > 0;
  const aMode = switching
    ? exportedMode(inputs.qualified.a, raw.a, aDeployed)
    : checkOtherStackMode("account-b", inputs.qualified.b, "grants", inputs.qualified.a, raw.a, aDeployed);
  const start: PairState = { switching, singleGrantA: aMode === "single-grant" };
  if (aMode === "grants") {
    start.bound =
      raw.a.grants === undefined
        ? []
        : parseAccountAGrants(inputs.qualified.a, raw.a.grants).map((g) => ({
            key: g.key,
            mechanisms: g.mechanisms,
            serviceAccount: pair(g.serviceAccount),
          }));
  }
  if (deployedB !== undefined) {
    start.trusted = new Map(
      [...deployedB.grants].map(([k, g]) => [
        k,
        { mechanisms: g.handoff.mechanisms, serviceAccounts: g.handoff.serviceAccounts.map(pair) },
      ]),
    );
  }
  return { start, target };
}

/**
 * The order when the configs are not both in grants mode. Configs in two modes are refused before any
 * update (`checkModesMatch`'s error): account-a in grants mode runs beside a single-grant account-b
 * (the switch's first step), so the mismatch would otherwise surface only at account-b's update. Both
 * single-grant: the first-deploy order, unless account-b is deployed in grants mode, which both
 * single-grant programs refuse (switching a grants-mode pair back is not supported). account-a alone
 * in grants mode and binding nothing (the switch's first step) goes back this way: its single-grant
 * program accepts the single-grant account-b.
 */
function singleGrantOrder(inputs: DeployOrderInputs, names: StackNames): DeployOrder {
  const mode = (side: Side) =>
    isGrantsMode(configGetters(inputs.config[side].config, inputs.config[side].secretKeys))
      ? "grants"
      : "single-grant";
  checkModesMatch("account-a", inputs.qualified.a, mode("a"), inputs.qualified.b, mode("b"));
  const deployedB = exportedMode(
    inputs.qualified.b,
    inputs.outputs.b,
    Object.keys(inputs.outputs.b).length > 0,
  );
  if (deployedB === "grants") {
    return {
      ok: false,
      reason:
        `${names.b} is deployed in grants mode (it exports mode "grants") but both configs are single-grant: ` +
        `this version does not switch a grants-mode pair back (${names.a}'s single-grant program refuses an ` +
        `account-b in grants mode, ${names.b}'s a grants-mode account-a); keep cross-account-irsa:grants in both ` +
        "stacks' config",
    };
  }
  return {
    ok: true,
    order: [...FIRST_DEPLOY_ORDER],
    reason: `single-grant mode: ${names.a}'s cluster, ${names.b}'s grant, then ${names.a}'s binding`,
    refusedFirst: { a: [], b: [] },
  };
}

/**
 * Decides the deploy's updates. Single-grant mode: account-a, account-b, account-a (the first-deploy
 * order, which every single-grant change converges with); configs in two modes, and single-grant
 * configs beside an account-b deployed in grants mode, are refused (`singleGrantOrder`). Grants mode
 * beside an account-b still deployed in single-grant mode (the switch of a deployed pair,
 * stacks/modeSwitch.ts): account-a binds nothing until account-b's grants, so the first-deploy order
 * (account-b then account-a once account-a's first update ran). Grants mode: the first of account-b then
 * account-a, or account-a, account-b, account-a, whose every update the programs accept; when neither
 * works, no order does (the first update of any order is one of the two refused), and the reason
 * names what the change adds and what it removes.
 *
 * @throws InputError when a config or an output is one the programs refuse (the same error).
 */
export function decideDeployOrder(inputs: DeployOrderInputs, names: StackNames): DeployOrder {
  const read = readPair(inputs);
  if (read === undefined) return singleGrantOrder(inputs, names);
  const { start, target } = read;
  // What the two configs disagree on: account-a's update refuses it after account-b's, in every order.
  const mismatch = refusedByA(target.bindings, target.trust);
  if (mismatch.length > 0) {
    return {
      ok: false,
      reason:
        `${names.a}'s config binds what ${names.b}'s config does not trust (${list(mismatch)}): no order fixes ` +
        `that; add it to the grant in ${names.b}'s cross-account-irsa:grants, or remove it from ${names.a}'s entry`,
    };
  }
  const aFirst = start.trusted === undefined ? [] : refusedByA(target.bindings, start.trusted);
  const bFirst = start.bound === undefined ? undefined : refusedByB(start.bound, target.trust);
  for (const order of CANDIDATES) {
    if (firstRefusal(order, start, target) !== undefined) continue;
    // account-b's program refuses a single-grant account-a: it waits for account-a's update.
    const waitsB = start.singleGrantA === true ? [`${names.a}'s single-grant outputs`] : (bFirst ?? []);
    return {
      ok: true,
      order: [...order],
      reason: why(order, start, aFirst, bFirst ?? [], names),
      refusedFirst: { a: aFirst, b: waitsB },
    };
  }
  if (bFirst === undefined) {
    return {
      ok: false,
      reason:
        `${names.a} has no outputs, so ${names.b} cannot update first (its grants trust ${names.a}'s cluster by its ` +
        `outputs), and ${names.a}'s update refuses to bind what ${names.b}'s deployed grants do not trust yet ` +
        `(${list(aFirst)}): deploy ${names.a} without those entries first, then add them back`,
    };
  }
  return {
    ok: false,
    reason:
      `the change adds trust (${list(aFirst)}) and removes trust (${list(bFirst)}) in one deploy: ` +
      `${names.a}'s update refuses to bind what ${names.b} does not trust yet, and ${names.b}'s update refuses ` +
      `to stop trusting what ${names.a} still binds, so no order works. Deploy them as two changes: first the ` +
      'addition (keep what is removed in both configs), then the removal (docs/migration.md, "Which stack first")',
  };
}

/** The one-line reason for an order that works. */
function why(
  order: readonly Side[],
  start: PairState,
  aFirst: readonly string[],
  bFirst: readonly string[],
  names: StackNames,
): string {
  if (start.switching === true) {
    // account-b still deployed in single-grant mode: account-a binds nothing until account-b's grants.
    return order.length === 3
      ? `switches the pair to grants mode (${names.b} is still deployed in single-grant mode): ${names.a} first, ` +
          `binding nothing (its single-grant resources are deleted: pods lose access until its second update), ` +
          `then ${names.b}'s grants, then ${names.a} binds them`
      : `${names.b} is still deployed in single-grant mode and ${names.a} binds nothing yet (the switch to grants ` +
          `mode): ${names.b}'s grants, then ${names.a} binds them`;
  }
  if (order.length === 3) {
    if (start.bound === undefined) {
      return `${names.a} has no outputs yet (first deploy): its cluster first, whose issuer and ARN ${names.b}'s grants trust, then ${names.b}, then ${names.a}'s bindings`;
    }
    return (
      `removes trust (${list(bFirst)}): ${names.a} stops binding it first, then ${names.b} stops trusting it, ` +
      `then ${names.a} again to read ${names.b}'s new outputs`
    );
  }
  if (aFirst.length > 0) {
    return `adds trust (${list(aFirst)}): ${names.b} trusts it first, then ${names.a} binds it`;
  }
  if (start.trusted === undefined) {
    return `${names.b} has no outputs yet and ${names.a}'s cluster is deployed: ${names.b}'s grants, then ${names.a}'s bindings`;
  }
  // Nothing account-a binds is untrusted now, nor stops being trusted: account-a first would pass too.
  return `either order passes both programs' checks: ${names.b} first, then ${names.a}, which reads ${names.b}'s new outputs`;
}
