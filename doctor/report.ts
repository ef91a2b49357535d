/**
 * The doctor's report: the `--json` document (exactly `{ ok, links }`) and the terminal table, with
 * each failed or undecided check's fix after it. Pure; the table is plan/render.ts's.
 */
import { type ChainCheckResult, type CheckResult } from "../chain";
import { describeFailure, linkOf } from "../mechanisms";
import { linksTable, styles } from "../cli/shared/terminal";

/** The `--json` document. */
export interface DoctorReport {
  ok: boolean;
  links: CheckResult[];
}

/** The report: `ok` when no check failed; each result with exactly its documented fields. */
export function doctorReport(results: readonly CheckResult[]): DoctorReport {
  return {
    ok: results.every((r) => r.status !== "fail"),
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
  options: { color: boolean; title: string },
): string {
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
  lines.push(
    "",
    failed.length === 0
      ? `${st.green(st.bold("Doctor: no broken link"))} (${summary})`
      : `${st.red(st.bold(`Doctor: ${new Set(failed.map((r) => r.link)).size} broken link(s)`))} (${summary})`,
  );
  return `${lines.join("\n")}\n`;
}
