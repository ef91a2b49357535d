/**
 * The doctor's report: the `--json` document (exactly `{ ok, links }`; with stacks in grants mode
 * `{ ok, mode, grants, unbound }`, one entry per grant) and the terminal table, with each failed or
 * undecided check's fix after it. Pure; the table is plan/render.ts's.
 */
import { type ChainCheckResult, type ChainSnapshot, type CheckResult, type LivePod } from "../chain";
import { describePod } from "../chain/livePods";
import { Mechanism, assertNever } from "../components/mechanism";
import { describeFailure, linkOf } from "../mechanisms";
import { linksTable, styles } from "../cli/shared/terminal";
import { type DanglingTrust, describeDanglingTrust } from "../stacks/danglingTrusts";
import { type StackGrants } from "./grants";

/** The `--json` document. */
export interface DoctorReport {
  ok: boolean;
  links: CheckResult[];
}

/**
 * The report: `ok` when every check passed or was skipped: a failed check and an undecided one
 * (`warn`) are both not ok, since the doctor never answers pass to what it could not decide. Each
 * result with exactly its documented fields.
 */
export function doctorReport(results: readonly CheckResult[]): DoctorReport {
  return {
    ok: results.every((r) => r.status !== "fail" && r.status !== "warn"),
    links: results.map((r) => ({
      link: r.link,
      check: r.check,
      status: r.status,
      detail: r.detail,
      ...(r.fix !== undefined ? { fix: r.fix } : {}),
    })),
  };
}

/** The report as the terminal shows it: a heading, the table, then each failure and warning in full. */
export function renderDoctor(
  results: readonly ChainCheckResult[],
  options: {
    color: boolean;
    title: string;
    /** Who speaks in the verdict line (default "Doctor"; a grant's section names the grant and chain). */
    verdict?: string;
  },
): string {
  const verdict = options.verdict ?? "Doctor";
  const st = styles(options.color);
  const lines = [st.bold(options.title), ...linksTable(results, st, 100)];
  const failed = results.filter((r) => r.status === "fail");
  const warned = results.filter((r) => r.status === "warn");
  if (failed.length > 0 || warned.length > 0) lines.push("");
  for (const r of failed) lines.push(`${st.red("✗")} ${describeFailure(r)}`);
  for (const r of warned) {
    const link = linkOf(r.link, r.mechanism);
    lines.push(
      `${st.yellow("!")} link ${link.number} undecided (${link.title}): ${r.check}: ${r.detail}.` +
        (r.fix ? ` Fix: ${r.fix}.` : ""),
    );
  }
  const count = (s: CheckResult["status"]) => results.filter((r) => r.status === s).length;
  const summary = `${count("pass")} passed, ${failed.length} failed, ${warned.length} warned, ${count("skip")} skipped`;
  // An undecided check is not a pass (the doctor never answers ok to what it could not decide).
  const verdictText =
    failed.length > 0
      ? st.red(st.bold(`${verdict}: ${new Set(failed.map((r) => r.link)).size} broken link(s)`))
      : warned.length > 0
        ? st.yellow(st.bold(`${verdict}: no broken link, ${warned.length} undecided check(s): not passed`))
        : st.green(st.bold(`${verdict}: no broken link`));
  lines.push("", `${verdictText} (${summary})`);
  return `${lines.join("\n")}\n`;
}

/** The report's title: the chain, and the roles it runs through, in the words of its mechanism. */
export function liveTitle(snapshot: ChainSnapshot, roleArn: string, where: string, rest: string): string {
  switch (snapshot.mechanism) {
    case Mechanism.Irsa:
      return `IRSA chain links (live): ${where}, role ${roleArn}, ${rest}`;
    case Mechanism.PodIdentity:
      return (
        `EKS Pod Identity chain links (live): ${where}, source role ${snapshot.sourceRole?.arn ?? "unknown"}, ` +
        `target role ${roleArn}, ${rest}`
      );
    case Mechanism.IrsaChained:
      return (
        `IRSA with role chaining chain links (live): ${where}, source role ${snapshot.sourceRole?.arn ?? "unknown"}, ` +
        `target role ${roleArn}, ${rest}`
      );
    default:
      return assertNever(snapshot, "mechanism");
  }
}

/** One chain the doctor judged: its snapshot, its checks' results and its title. */
export interface JudgedChain {
  /** The grant it belongs to (stacks in grants mode). */
  grant?: string;
  snapshot: ChainSnapshot;
  results: ChainCheckResult[];
  title: string;
}

/** A grant's section: what account-a's binding set up, and each of its chains as judged. */
export interface GrantSection {
  key: string;
  mechanisms: Mechanism[];
  podCredentialPath: Mechanism;
  chains: JudgedChain[];
}

/** The judged chains grouped by grant, in the grants' order. */
export function grantSections(grants: StackGrants, judged: readonly JudgedChain[]): GrantSection[] {
  return grants.grants.map((g) => ({
    key: g.key,
    mechanisms: g.mechanisms,
    podCredentialPath: g.podCredentialPath,
    chains: judged.filter((j) => j.grant === g.key),
  }));
}

/** The live pods of a snapshot (the doctor's reading of the ServiceAccount's pods), when it read them. */
function livePodsOf(snapshot: ChainSnapshot): LivePod[] | undefined {
  switch (snapshot.mechanism) {
    case Mechanism.Irsa:
    case Mechanism.PodIdentity:
      return snapshot.live?.pods;
    case Mechanism.IrsaChained:
      // Its collector reads each pod's first container (env and mounts), not a pod list.
      return snapshot.live === undefined || snapshot.unavailable?.workloads !== undefined
        ? undefined
        : snapshot.workloads.map((w) => ({
            name: w.name,
            containers: [{ name: "first", env: w.env, ...(w.envFrom ? { envFrom: w.envFrom } : {}) }],
          }));
    default:
      return assertNever(snapshot, "mechanism");
  }
}

/**
 * Which credentials each live pod of the grant's ServiceAccount uses (its environment read by the
 * chain of the grant's `podCredentialPath`; components/credentialPath.ts's rule): undefined when the
 * pods were not read (--no-cluster, an unreadable cluster).
 */
export function livePodPaths(section: GrantSection): string[] | undefined {
  const chain =
    section.chains.find((c) => c.snapshot.mechanism === section.podCredentialPath) ?? section.chains[0];
  const pods = chain === undefined ? undefined : livePodsOf(chain.snapshot);
  return pods?.map(describePod);
}

const sectionOk = (section: GrantSection) =>
  section.chains.every((c) => c.results.every((r) => r.status !== "fail" && r.status !== "warn"));

/** The `--json` document of stacks in grants mode. */
export interface DoctorGrantsReport {
  ok: boolean;
  mode: "grants";
  grants: Array<{
    key: string;
    ok: boolean;
    mechanisms: Mechanism[];
    podCredentialPath: Mechanism;
    /** Each live pod and the credentials it uses; absent when the pods were not read. */
    pods?: string[];
    chains: Array<{ mechanism: Mechanism; ok: boolean; links: CheckResult[] }>;
  }>;
  /** account-b's grants account-a does not bind (not judged). */
  unbound: string[];
  /** Grants account-a binds without a probe object in account-b's outputs (judged, the object read skipped). */
  noProbe: string[];
  /**
   * Dangling trusts (stacks/danglingTrusts.ts): a source role account-b trusts by name that no binding
   * creates, or a grant account-a does not bind. Each a failing check: any principal of account A
   * allowed to create a role of that name gets the grant's access.
   */
  danglingTrusts: Array<{
    grant: string;
    mechanism?: Mechanism;
    roleArn?: string;
    check: "dangling trust";
    status: "fail";
    detail: string;
    fix: string;
  }>;
}

/** The keys of the grants with a dangling trust. */
const danglingKeys = (dangling: readonly DanglingTrust[]) => new Set(dangling.map((d) => d.key));

/**
 * The report of stacks in grants mode: `ok` when no check of any grant's chain failed or is undecided
 * and no grant has a dangling trust (a grant's own `ok` is false with either).
 */
export function doctorGrantsReport(
  sections: readonly GrantSection[],
  notJudged: Pick<StackGrants, "unbound" | "noProbe" | "dangling">,
): DoctorGrantsReport {
  const dangled = danglingKeys(notJudged.dangling);
  const grants = sections.map((s) => {
    const pods = livePodPaths(s);
    return {
      key: s.key,
      ok: sectionOk(s) && !dangled.has(s.key),
      mechanisms: [...s.mechanisms],
      podCredentialPath: s.podCredentialPath,
      ...(pods !== undefined ? { pods } : {}),
      chains: s.chains.map((c) => {
        const { ok, links } = doctorReport(c.results);
        return { mechanism: c.snapshot.mechanism, ok, links };
      }),
    };
  });
  return {
    ok: grants.every((g) => g.ok) && notJudged.dangling.length === 0,
    mode: "grants",
    grants,
    unbound: [...notJudged.unbound],
    noProbe: [...notJudged.noProbe],
    danglingTrusts: notJudged.dangling.map((d) => ({
      grant: d.key,
      ...(d.mechanism !== undefined ? { mechanism: d.mechanism } : {}),
      ...(d.roleArn !== undefined ? { roleArn: d.roleArn } : {}),
      check: "dangling trust",
      status: "fail",
      detail: d.detail,
      fix: d.fix,
    })),
  };
}

/** The report of stacks in grants mode as the terminal shows it: one section per grant, then the verdict. */
export function renderDoctorGrants(
  sections: readonly GrantSection[],
  notJudged: Pick<StackGrants, "unbound" | "noProbe" | "dangling">,
  options: { color: boolean },
): string {
  const st = styles(options.color);
  const parts: string[] = [];
  for (const s of sections) {
    const pods = livePodPaths(s);
    parts.push(
      [
        st.bold(
          `Grant ${s.key}: ${s.mechanisms.join(" + ")}; pods use ${s.podCredentialPath} (account-a's podCredentialPath)`,
        ),
        ...(pods === undefined
          ? []
          : [`  live pods: ${pods.length === 0 ? "none runs as the ServiceAccount" : pods.join("; ")}`]),
        "",
      ].join("\n"),
    );
    for (const c of s.chains) {
      parts.push(
        renderDoctor(c.results, {
          ...options,
          title: c.title,
          verdict: `Grant ${s.key} (${c.snapshot.mechanism})`,
        }),
      );
    }
  }
  const hasStatus = (s: GrantSection, status: CheckResult["status"]) =>
    s.chains.some((c) => c.results.some((r) => r.status === status));
  const broken = sections.filter((s) => hasStatus(s, "fail")).map((s) => s.key);
  const undecided = sections.filter((s) => !hasStatus(s, "fail") && hasStatus(s, "warn")).map((s) => s.key);
  const lines = [
    ...(notJudged.unbound.length > 0
      ? [`Not judged: account-b grants ${notJudged.unbound.join(", ")}, which account-a does not bind.`]
      : []),
    ...(notJudged.noProbe.length > 0
      ? [
          `Object read not judged: grants ${notJudged.noProbe.join(", ")}, for which account-b exports no probe ` +
            "object (set objectKey on one of the grant's buckets); their other links are judged.",
        ]
      : []),
    ...notJudged.dangling.map(
      (d) => `${st.red("✗")} grant ${d.key}: dangling trust: ${describeDanglingTrust(d)}`,
    ),
    broken.length === 0
      ? st.green(st.bold(`Doctor: no broken link in ${sections.length} grant(s)`))
      : st.red(
          st.bold(
            `Doctor: ${broken.length} of ${sections.length} grant(s) with a broken link: ${broken.join(", ")}`,
          ),
        ),
    ...(undecided.length > 0
      ? [
          st.yellow(
            st.bold(
              `Doctor: ${undecided.length} of ${sections.length} grant(s) with an undecided check, not passed: ${undecided.join(", ")}`,
            ),
          ),
        ]
      : []),
    ...(notJudged.dangling.length > 0
      ? [
          st.red(
            st.bold(
              `Doctor: ${notJudged.dangling.length} dangling trust(s) in grant(s) ${[...danglingKeys(notJudged.dangling)].join(", ")}`,
            ),
          ),
        ]
      : []),
  ];
  return `${parts.join("\n")}\n${lines.join("\n")}\n`;
}
