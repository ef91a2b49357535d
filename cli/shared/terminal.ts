/**
 * What the front ends (plan/, doctor/) print with: styles (ANSI colours only on a terminal), aligned
 * tables, and the chain's check results as a table. The room below the front ends: it imports the
 * chain and the registry, never plan/, deploy/ or doctor/. Pure.
 */
import { type ChainCheckResult, type CheckResult } from "../../chain";
import { linkOf } from "../../mechanisms";

/** Text styles; identity functions when colour is off. */
export interface Styles {
  bold: (s: string) => string;
  dim: (s: string) => string;
  green: (s: string) => string;
  red: (s: string) => string;
  yellow: (s: string) => string;
  cyan: (s: string) => string;
}

/** ANSI styles when `color`, plain text otherwise. */
export function styles(color: boolean): Styles {
  const sgr = (open: number, close: number) => (s: string) =>
    color ? `\u001b[${open}m${s}\u001b[${close}m` : s;
  return {
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    green: sgr(32, 39),
    red: sgr(31, 39),
    yellow: sgr(33, 39),
    cyan: sgr(36, 39),
  };
}

/** Colour only on a terminal, and never when NO_COLOR or CI is set. */
export function useColor(isTTY: boolean, env: Record<string, string | undefined>): boolean {
  return isTTY && env.NO_COLOR === undefined && env.CI === undefined;
}

/** A table cell: the text, and a style applied after padding (so alignment ignores escapes). */
export type Cell = string | { text: string; style: (s: string) => string };

/** Aligned columns, two spaces apart, each line indented. */
export function table(rows: Cell[][], indent = "  "): string[] {
  const text = (c: Cell) => (typeof c === "string" ? c : c.text);
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, [...text(c)].length)));
  return rows.map((row) =>
    (
      indent +
      row
        .map((c, i) => {
          const t = text(c);
          const padded = i === row.length - 1 ? t : t + " ".repeat(widths[i] - [...t].length);
          return typeof c === "string" || t === "" ? padded : c.style(padded);
        })
        .join("  ")
    ).trimEnd(),
  );
}

/** `s` cut to `max` characters, with an ellipsis when cut. */
export function shorten(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** A check's status as a table cell: PASS, FAIL, WARN or SKIP, coloured. */
export function statusCell(status: CheckResult["status"], st: Styles): Cell {
  return status === "pass"
    ? { text: "PASS", style: st.green }
    : status === "fail"
      ? { text: "FAIL", style: st.red }
      : status === "warn"
        ? { text: "WARN", style: st.yellow }
        : { text: "SKIP", style: st.yellow };
}

/**
 * The chain's check results as a table: link number (in the chain of each result's mechanism),
 * check, status, detail (cut at `detailWidth`).
 */
export function linksTable(links: readonly ChainCheckResult[], st: Styles, detailWidth = 120): string[] {
  return table([
    ["LINK", "CHECK", "STATUS", "DETAIL"].map((t) => ({ text: t, style: st.bold })),
    ...links.map((l) => [
      String(linkOf(l.link, l.mechanism).number),
      l.check,
      statusCell(l.status, st),
      { text: shorten(l.detail, detailWidth), style: st.dim },
    ]),
  ]);
}
