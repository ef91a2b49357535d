/**
 * The IRSA-chained chain as account-a is about to build it (its second update): account-b's target
 * role, trust and permission as exported, the source role (its trust and planned permission), the
 * ServiceAccount annotated with it and the planned config file; checked with the chain's own checks
 * before anything is registered, and again once the issuer and the source role's ARN are known. Pure.
 */
import {
  buildChainedProfileConfig,
  buildChainedSourcePermissionPolicy,
  buildChainedSourceTrustPolicy,
} from "../../components/chainedPolicies";
import { DEFAULT_CHAINED_CONFIG_MAP } from "../../components/chainedProfileConfigMap";
import { policyJson } from "../../components/policyDocument";
import { ROLE_ARN_ANNOTATION } from "../../components/serviceAccountAnnotations";
import { type ServiceAccountRef } from "../../components/trustPolicy";
import { failures, type CheckResult } from "../../chain/result";
import { accountBSnapshotFacts } from "../../stacks/crossStack";
import { irsaChainedLink } from "./catalogue";
import { checkIrsaChainedChain } from "./chain";
import { type IrsaChainedSnapshot } from "./snapshot";

/** What account-b exports that this chain reads. */
export interface IrsaChainedAccountBFacts {
  roleArn: string;
  bucketName: string;
  objectKey: string;
  serviceAccounts: ServiceAccountRef[];
  trustPolicy?: string;
  accessPolicy?: string;
  /** The source role account-b's target role trusts (account-b's `sourceRoleArn` output). */
  sourceRoleArn?: string;
}

/** What account-a knows of its own side when it checks. */
export interface IrsaChainedSide {
  /** The cluster's issuer, A's provider and the source role's ARN, once they exist (Outputs before). */
  issuerUrl?: string;
  providerArn?: string;
  sourceRoleArn?: string;
}

/** The snapshot of the chain account-a is about to build. */
export function plannedIrsaChainedChain(
  b: IrsaChainedAccountBFacts,
  serviceAccount: ServiceAccountRef,
  deployProbe: boolean,
  side: IrsaChainedSide,
): IrsaChainedSnapshot {
  const known =
    side.issuerUrl !== undefined && side.providerArn !== undefined && side.sourceRoleArn !== undefined;
  const later = "known once the cluster, its provider and the source role exist (checked again then)";
  return {
    mechanism: "irsa-chained",
    ...(side.issuerUrl !== undefined ? { issuerUrl: side.issuerUrl } : {}),
    ...(side.providerArn !== undefined
      ? {
          provider: {
            arn: side.providerArn,
            ...(side.issuerUrl !== undefined ? { url: side.issuerUrl } : {}),
            adopted: false,
          },
        }
      : {}),
    ...(known
      ? {
          sourceRole: {
            arn: side.sourceRoleArn!,
            trustPolicy: policyJson(
              buildChainedSourceTrustPolicy({
                oidcProviderArn: side.providerArn!,
                issuerUrl: side.issuerUrl!,
                serviceAccounts: b.serviceAccounts,
              }),
            ),
            permissionPolicies: {
              "assume-target-role": policyJson(
                buildChainedSourcePermissionPolicy({ targetRoleArn: b.roleArn }),
              ),
            },
          },
          profile: {
            configMap: DEFAULT_CHAINED_CONFIG_MAP,
            namespace: serviceAccount.namespace,
            text: buildChainedProfileConfig({ sourceRoleArn: side.sourceRoleArn!, targetRoleArn: b.roleArn })
              .text,
          },
        }
      : {}),
    ...accountBSnapshotFacts(b),
    serviceAccount: {
      ...serviceAccount,
      annotations: side.sourceRoleArn !== undefined ? { [ROLE_ARN_ANNOTATION]: side.sourceRoleArn } : {},
    },
    workloads: [],
    deployProbe,
    unavailable: {
      ...(!known ? { issuer: later, sourceRole: later, profile: later } : {}),
      workloads: "registered after this check",
      ...(b.trustPolicy === undefined ? { trust: "account-b exports no trustPolicy" } : {}),
      ...(b.accessPolicy === undefined ? { permission: "account-b exports no accessPolicy" } : {}),
    },
  };
}

/**
 * The failed checks of the chain account-a is about to build, as one message (each with its link
 * and fix), or undefined when none failed. Before the source role exists its annotation cannot match
 * it: that check waits for the second check, like the others that need the source role.
 */
export function plannedIrsaChainedProblems(
  b: IrsaChainedAccountBFacts,
  serviceAccount: ServiceAccountRef,
  deployProbe: boolean,
  side: IrsaChainedSide,
): string | undefined {
  const results: CheckResult[] = checkIrsaChainedChain(
    plannedIrsaChainedChain(b, serviceAccount, deployProbe, side),
  );
  const failed = failures(results).filter(
    (r) => side.sourceRoleArn !== undefined || !r.check.includes("= the source role"),
  );
  if (
    side.sourceRoleArn !== undefined &&
    b.sourceRoleArn !== undefined &&
    b.sourceRoleArn !== side.sourceRoleArn
  ) {
    return (
      `account-a, before registering: account-b's target role trusts ${b.sourceRoleArn}, not this stack's source ` +
      `role ${side.sourceRoleArn}: run account-b's update after account-a's (npm run deploy does)`
    );
  }
  if (failed.length === 0) return undefined;
  return (
    "account-a, before registering: " +
    failed
      .map((r) => {
        const link = irsaChainedLink(r.link as never);
        return `link ${link.number} broken (${link.title}): ${r.check}: ${r.detail}.${r.fix ? ` Fix: ${r.fix}.` : ""}`;
      })
      .join(" ")
  );
}
