/**
 * What a mechanism is to the offline plan (`npm run plan`): its planned collector, its access matrix
 * with its near misses, the tables that show them and the words of its headings. One entry per
 * mechanism in `planRegistry.ts`, each in the mechanism's folder (`<name>/planLayer.ts`).
 *
 * Kept apart from `types.ts` (the chain layer): a plan layer reads the recorded passes (plan/), the
 * chain layer loads nothing but the pure chain, and the doctor loads the registry, never the plan.
 *
 * Pure: its types, and `twoRoleMatrix`, the matrix frame both mechanisms with a source role in account A share.
 */
import { type ChainCheckResult } from "../chain";
import { type Mechanism } from "../components/mechanism";
import { type ServiceAccountRef } from "../components/trustPolicy";
import { plannedSourceRole, type PlannedRole } from "../plan/collect";
import { type AccessRow, type TwoRoleDocuments } from "../plan/matrix";
import { type StackPass } from "../plan/passes";
import { type PlanConfigs } from "../plan/planInput";
import { type PlannedDocument } from "../plan/records";
import { type SnapshotOf } from "./types";

/** What every plan has planned in account-b: the role the pod ends up as, its documents, parsed. */
export interface PlannedAccountB {
  configs: PlanConfigs;
  /** account-b's final run (its outputs, for what a mechanism reads there). */
  b: StackPass;
  trustPolicy: PlannedDocument;
  permissionPolicies: Array<{ name: string } & PlannedDocument>;
  /**
   * Grants mode: the one ServiceAccount account-a's binding sets up; the source roles a binding
   * creates in account A trust it alone. Undefined in single-grant mode.
   */
  boundServiceAccount?: ServiceAccountRef;
}

/** A mechanism's access matrix on the plan, and the source role it read in account A (if it has one). */
export interface PlannedMatrix {
  /** account-a's source role, shown with its documents (Pod Identity, irsa-chained). */
  sourceRole?: PlannedRole;
  /** The rows; or, when the runs planned too little to evaluate anything, what they did not plan. */
  matrix: AccessRow[] | { missing: string };
}

/**
 * The matrix of a mechanism with a source role in account A (Pod Identity, irsa-chained): the source
 * role read once; `missing` (what the runs did not plan) unless `targetRoleArn` and `ready`; else
 * `build` with both roles' documents.
 */
export function twoRoleMatrix(
  rawSourceRole: Parameters<typeof plannedSourceRole>[0],
  targetRoleArn: string | undefined,
  planned: PlannedAccountB,
  ready: boolean,
  missing: string,
  build: (documents: TwoRoleDocuments) => AccessRow[],
): PlannedMatrix {
  const sourceRole = plannedSourceRole(rawSourceRole);
  if (!sourceRole || targetRoleArn === undefined || !ready) {
    return { ...(sourceRole ? { sourceRole } : {}), matrix: { missing } };
  }
  return {
    sourceRole,
    matrix: build({
      sourceRoleArn: sourceRole.arn,
      sourceTrust: sourceRole.trustPolicy.doc,
      sourcePermissions: sourceRole.permissionPolicies.map((p) => p.doc),
      targetRoleArn,
      targetTrust: planned.trustPolicy.doc,
      permissionPolicies: planned.permissionPolicies.map((p) => p.doc),
    }),
  };
}

/**
 * A table cell: text, or text to cut to `shortenTo` characters, or (`warn`) text to show as a
 * warning. plan/render.ts styles it.
 */
export type MatrixCell =
  string | { readonly text: string; readonly shortenTo?: number; readonly warn?: true };

/** One table of a mechanism's matrix rows: its heading, its columns and its rows' cells. */
export interface MatrixTable {
  heading: string;
  /** The columns before the EXPECTED, ACTUAL and verdict columns every table ends with. */
  columns: string[];
  rows: Array<{ cells: MatrixCell[]; row: AccessRow }>;
}

/** The plan report's headings that name the mechanism. */
export interface PlanWords {
  /** account-b's documents. */
  accountBDocuments: string;
  /** The chain's link table. */
  links: string;
  /** account-a's source role's documents (shown when the matrix read one). */
  sourceRole: string;
}

/** A mechanism's plan layer. */
export interface PlanLayer<M extends Mechanism = Mechanism> {
  /** Its name, as config takes it. */
  readonly name: M;
  /** The planned collector: the chain's facts out of the final account-b and account-a runs. Pure. */
  readonly collect: (passes: StackPass[], configs: PlanConfigs) => SnapshotOf<M>;
  /**
   * The access matrix on the planned documents: the requests the config means to allow, the near
   * misses it means to deny; the expectations come from the config, never from the builders. Pure.
   */
  readonly matrix: (snapshot: SnapshotOf<M>, planned: PlannedAccountB) => PlannedMatrix;
  /** Its matrix's tables before the access rows every mechanism shares (plan/render.ts shows those). */
  readonly matrixTables: (matrix: readonly AccessRow[]) => MatrixTable[];
  readonly words: PlanWords;
  /**
   * Whether the plan refuses the two stacks in two partitions: a mechanism whose account-a role
   * session assumes account-b's role cannot cross partitions (IAM is separate in each).
   */
  readonly checksPartitions: boolean;
  /**
   * The chain's results of this path when account A sets it up but the pods take `podPath` first
   * (`podCredentialPath`, a migration's step 1): a check that holds only for the path the pods take
   * is skipped, saying why; every other result is returned as it is. Pure.
   */
  readonly standby: (
    results: readonly ChainCheckResult[],
    snapshot: SnapshotOf<M>,
    podPath: Mechanism,
  ) => ChainCheckResult[];
}

/** A layer whose checks all hold whichever path the pods take: its results unchanged. */
export function noStandbyChecks(results: readonly ChainCheckResult[]): ChainCheckResult[] {
  return [...results];
}
