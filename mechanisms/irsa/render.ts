/**
 * The plan report's table of the IRSA access matrix: who may assume account-b's role (the web
 * identity step). Pure: rows in, table cells out (plan/render.ts lays them out and shows the access
 * rows every mechanism shares).
 */
import { tryParseArn } from "../../components/arn";
import { type AccessRow } from "../../plan/matrix";
import { type MatrixTable } from "../planLayer";

/** `<account> …/id/<first 8 of the id>…` for an OIDC provider ARN. */
function shortProvider(arn: string): string {
  const parts = tryParseArn(arn);
  const isProvider =
    parts?.service === "iam" &&
    parts.region === "" &&
    /^\d{12}$/.test(parts.account) &&
    parts.resource.startsWith("oidc-provider/");
  return isProvider
    ? `${parts.account} …/${parts.resource.slice(parts.resource.lastIndexOf("/") + 1).slice(0, 8)}…`
    : arn;
}

/** The IRSA matrix's table (a row in a namespace the role trusts whole is marked as a warning). */
export function irsaMatrixTables(matrix: readonly AccessRow[]): MatrixTable[] {
  return [
    {
      heading: "Who may assume the role (sts:AssumeRoleWithWebIdentity against the planned trust policy)",
      columns: ["CASE", "SERVICE ACCOUNT", "AUDIENCE", "OIDC PROVIDER"],
      rows: matrix
        .filter((r) => r.kind === "trust")
        .map((r) => ({
          cells: [
            r.scope === "namespace-wide" ? { text: `${r.subject} [namespace-wide]`, warn: true } : r.subject,
            r.context.sub.replace(/^system:serviceaccount:([^:]*):/, "$1/"),
            r.context.aud,
            shortProvider(r.resource),
          ],
          row: r,
        })),
    },
  ];
}
