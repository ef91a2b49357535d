/**
 * The plan report's tables of the Pod Identity access matrix: who may reach the target role, and
 * the source role (EKS assuming it, it chaining into the target role). Pure: rows in, table cells
 * out (plan/render.ts lays them out and shows the access rows every mechanism shares).
 */
import { type AccessRow } from "../../plan/matrix";
import { type MatrixTable } from "../planLayer";

/** The two tables of the Pod Identity matrix. */
export function podIdentityMatrixTables(matrix: readonly AccessRow[]): MatrixTable[] {
  const tag = (r: AccessRow, key: string) => r.context[`aws:RequestTag/${key}`] ?? "-";
  return [
    {
      heading:
        "Who may reach the target role (sts:AssumeRole and sts:TagSession against its planned trust policy)",
      columns: ["CASE", "ACTION", "CALLER", "CLUSTER", "NAMESPACE/SERVICE ACCOUNT"],
      rows: matrix
        .filter((r) => r.kind === "target-trust")
        .map((r) => ({
          cells: [
            r.subject,
            r.action,
            { text: r.context["aws:PrincipalArn"] ?? "-", shortenTo: 60 },
            tag(r, "eks-cluster-arn").replace(/^.*:cluster\//, ""),
            r.context["aws:RequestTag/kubernetes-namespace"] === undefined
              ? "(no tags)"
              : `${tag(r, "kubernetes-namespace")}/${tag(r, "kubernetes-service-account")}`,
          ],
          row: r,
        })),
    },
    {
      heading: "The source role (EKS assuming it; it chaining into the target role)",
      columns: ["CASE", "ACTION", "RESOURCE"],
      rows: matrix
        .filter((r) => r.kind === "source-role")
        .map((r) => ({ cells: [r.subject, r.action, { text: r.resource, shortenTo: 70 }], row: r })),
    },
  ];
}
