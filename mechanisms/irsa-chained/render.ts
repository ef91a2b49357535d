/**
 * The plan report's tables of the IRSA-chained access matrix: who may assume the source role (the
 * web identity step), the source role chaining, and who may assume the target role. Pure: rows in,
 * table cells out (plan/render.ts lays them out and shows the access rows every mechanism shares).
 */
import { tryParseArn } from "../../components/arn";
import { type AccessRow } from "../../plan/matrix";
import { type MatrixTable } from "../planLayer";

/** The provider ARN shortened to `<account>:.../id/<ID>` for a table cell. */
function shortProvider(arn: string): string {
  const parts = tryParseArn(arn);
  const id = parts?.resource.startsWith("oidc-provider/") ? parts.resource.split("/id/").at(-1) : undefined;
  return parts && id && parts.resource.includes("/id/") ? `${parts.account}:…/id/${id}` : arn;
}

/** The three tables of the IRSA-chained matrix (the access rows are rendered as for every mechanism). */
export function irsaChainedMatrixTables(matrix: readonly AccessRow[]): MatrixTable[] {
  return [
    {
      heading:
        "Who may assume the source role (sts:AssumeRoleWithWebIdentity against its planned trust policy)",
      columns: ["CASE", "SERVICE ACCOUNT", "AUDIENCE", "OIDC PROVIDER"],
      rows: matrix
        .filter((r) => r.kind === "trust")
        .map((r) => ({
          cells: [
            r.subject,
            (r.context.sub ?? "").replace(/^system:serviceaccount:([^:]*):/, "$1/"),
            r.context.aud ?? "",
            shortProvider(r.resource),
          ],
          row: r,
        })),
    },
    {
      heading: "The source role chaining into the target role (its planned permission policy)",
      columns: ["CASE", "ACTION", "RESOURCE"],
      rows: matrix
        .filter((r) => r.kind === "source-role")
        .map((r) => ({ cells: [r.subject, r.action, r.resource], row: r })),
    },
    {
      heading: "Who may assume the target role (sts:AssumeRole against its planned trust policy)",
      columns: ["CASE", "ACTION", "CALLER"],
      rows: matrix
        .filter((r) => r.kind === "target-trust")
        .map((r) => ({ cells: [r.subject, r.action, r.context["aws:PrincipalArn"] ?? "-"], row: r })),
    },
  ];
}
