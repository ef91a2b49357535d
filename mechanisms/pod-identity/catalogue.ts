/**
 * The EKS Pod Identity chain's catalogue: its five links and every check made on them, with the words
 * that say what is checked and how to fix it (the stacks' words, or with live facts the doctor's).
 * Its mechanism module (module.ts) puts these in the registry, the one place the words are found. Pure.
 */
import { ROLE_ARN_ANNOTATION } from "../../components/serviceAccountAnnotations";
import {
  SERVICE_ACCOUNT_PRESENT_STACKS_FIX,
  check,
  grantEntryField,
  inGrant,
  says,
  serviceAccountTrustedCheck,
  workloadPresentCheck,
  workloadServiceAccountCheck,
  type LinkDefinition,
  type InGrant,
  type Live,
  type Subject,
  type Workload,
} from "../../chain/catalogueBase";

/** The five links of the EKS Pod Identity cross-account chain. */
export const POD_IDENTITY_LINKS: readonly LinkDefinition[] = [
  { id: "agent", number: 1, title: "the eks-pod-identity-agent add-on on the cluster (account A)" },
  {
    id: "association",
    number: 2,
    title:
      "the Pod Identity association of the ServiceAccount (source role, target role) and the plain ServiceAccount (account A)",
  },
  {
    id: "source-role",
    number: 3,
    title:
      "the source role in account A: trusted by pods.eks.amazonaws.com, allowed to assume the target role",
  },
  {
    id: "target-trust",
    number: 4,
    title:
      "the target role's trust policy in account B (the source role, the service account's session tags)",
  },
  {
    id: "permission",
    number: 5,
    title: "the target role's permission policy and the bucket policy in account B",
  },
];

/** A Pod Identity association, for the words of a check. */
interface AssociationWords extends Live, InGrant, Subject {
  cluster?: string;
  sourceRoleArn?: string;
  targetRoleArn?: string;
  /** Live: the association's id (what update-pod-identity-association takes). */
  associationId?: string;
  /** Live: the associations could not be read (the fix is then about the doctor's permissions). */
  unreadable?: boolean;
}

/** The role name of a role ARN, for the words of a fix. */
const roleName = (arn: string | undefined, fallback: string) =>
  arn === undefined ? fallback : arn.slice(arn.lastIndexOf("/") + 1);

/** `aws eks update-pod-identity-association` for an association, in the live fixes. */
const updateAssociation = (p: AssociationWords) =>
  `aws eks update-pod-identity-association --cluster-name ${p.cluster ?? "<cluster>"} --association-id ` +
  `${p.associationId ?? "<association id>"}`;

/**
 * The checks of the EKS Pod Identity chain, by name (the permission link's are the IRSA chain's:
 * the same policy and bucket).
 */
export const POD_IDENTITY_CHECKS = {
  clusterFound: check<{ cluster: string }>(
    "agent",
    (p) => `cluster ${p.cluster} is found in the cluster's account`,
    () =>
      "name the cluster with --cluster and --cluster-region, and read it with credentials of its account (--profile-a)",
  ),
  agentInstalled: check<
    Live & { cluster?: string; adopted?: boolean; status?: string; unreadable?: boolean }
  >(
    "agent",
    (p) => `cluster ${p.cluster ?? "of account-a"} runs the eks-pod-identity-agent add-on`,
    (p) =>
      (p.live
        ? p.unreadable
          ? "the doctor's --profile-a identity needs eks:DescribeAddon on the cluster: grant it, or run the doctor with " +
            "credentials that have it"
          : p.status !== undefined
            ? `the add-on is ${p.status}: read its health issues (aws eks describe-addon --cluster-name ${p.cluster} ` +
              "--addon-name eks-pod-identity-agent) and repair it (aws eks update-addon ... --resolve-conflicts OVERWRITE)"
            : `install it: aws eks create-addon --cluster-name ${p.cluster} --addon-name eks-pod-identity-agent (an EKS ` +
              "Auto Mode cluster runs the agent built in; an agent run as your own DaemonSet is not an add-on: check " +
              "kubectl get daemonset eks-pod-identity-agent -n kube-system)"
        : p.adopted
          ? "the adopted cluster must run it: aws eks create-addon --cluster-name " +
            `${p.cluster ?? "<cluster>"} --addon-name eks-pod-identity-agent, or set cross-account-irsa:cluster.podIdentityAgent: ` +
            "true on account-a to install it"
          : "account-a installs it (PodIdentityAgent) when it creates the cluster") +
      "; the agent runs on EC2 Linux nodes only: pods on Fargate or Windows nodes need IRSA",
  ),
  agentSelfManaged: check<{ cluster: string; unreadable?: boolean }>(
    "agent",
    (p) =>
      `cluster ${p.cluster} runs the eks-pod-identity-agent as a self-managed DaemonSet (kube-system/eks-pod-identity-agent)`,
    (p) =>
      p.unreadable
        ? "let the doctor read it (kubectl auth can-i get daemonsets -n kube-system; without --no-cluster), or install " +
          `the add-on: aws eks create-addon --cluster-name ${p.cluster} --addon-name eks-pod-identity-agent`
        : "see why its pods are not ready (kubectl describe daemonset eks-pod-identity-agent -n kube-system) and repair " +
          `it, or install the add-on instead: aws eks create-addon --cluster-name ${p.cluster} --addon-name eks-pod-identity-agent`,
  ),
  associationPresent: check<AssociationWords>(
    "association",
    (p) =>
      says(
        p,
        `a Pod Identity association for ${p.namespace}/${p.name} names the source role and the target role`,
        `cluster ${p.cluster} has a Pod Identity association for ${p.namespace}/${p.name}`,
      ),
    (p) =>
      p.unreadable
        ? "the doctor's --profile-a identity needs eks:ListPodIdentityAssociations and eks:DescribePodIdentityAssociation " +
          "on the cluster: grant them, or run the doctor with credentials that have them"
        : says(
            p,
            "account-a creates it (CrossAccountPodIdentity) once account-b has outputs; by hand: aws eks ",
            "create it: aws eks ",
          ) +
          `create-pod-identity-association --cluster-name ${p.cluster ?? "<cluster>"} --namespace ${p.namespace} ` +
          `--service-account ${p.name} --role-arn ${p.sourceRoleArn ?? says(p, "<source role>", "<source role in the cluster's account>")} ` +
          `--target-role-arn ${p.targetRoleArn ?? "<account-b's roleArn>"}` +
          says(p, "", ", then restart the pods that use the ServiceAccount"),
  ),
  associationSessionTags: check<AssociationWords>(
    "association",
    (p) => `the association of ${p.namespace}/${p.name} passes session tags`,
    (p) =>
      says(
        p,
        "leave disableSessionTags off",
        `turn disableSessionTags off: ${updateAssociation(p)} --no-disable-session-tags`,
      ) +
      ": the target role's trust tests the eks-cluster-arn, kubernetes-namespace and " +
      "kubernetes-service-account tags, which EKS does not pass with it on",
  ),
  associationTarget: check<AssociationWords>(
    "association",
    (p) =>
      says(
        p,
        `the association of ${p.namespace}/${p.name} chains into account-b's role ${p.targetRoleArn ?? ""}`.trim(),
        `the association of ${p.namespace}/${p.name} chains from the source role into the target role ${p.targetRoleArn ?? ""}`.trim(),
      ),
    (p) =>
      says(
        p,
        `the association's targetRoleArn must be ${inGrant(p, "account-b's roleArn output", (g) => `account-b's grants.${g}.handoff.roleArn output`)} ` +
          "and its roleArn account-a's source role: run account-a's update after account-b's (npm run deploy does)",
        `point it at them: ${updateAssociation(p)} --role-arn ${p.sourceRoleArn ?? "<source role>"} --target-role-arn ` +
          `${p.targetRoleArn ?? "<target role>"}`,
      ),
  ),
  serviceAccountPresent: check<Live & Partial<Subject>>(
    "association",
    (p) => says(p, "account-a plans the ServiceAccount", `ServiceAccount ${p.namespace}/${p.name} exists`),
    (p) =>
      says(
        p,
        SERVICE_ACCOUNT_PRESENT_STACKS_FIX,
        `create it (kubectl create serviceaccount ${p.name} -n ${p.namespace}), or name the right one with --namespace, ` +
          "--service-account and --context",
      ),
  ),
  serviceAccountPlain: check<Subject>(
    "association",
    (p) => `ServiceAccount ${p.namespace}/${p.name} has no ${ROLE_ARN_ANNOTATION} annotation`,
    (p) =>
      `remove it (kubectl annotate serviceaccount ${p.name} -n ${p.namespace} ${ROLE_ARN_ANNOTATION}-) and restart the ` +
      "pods: with it, the webhook injects a web identity token, and the AWS SDKs try it before Pod Identity's credentials",
  ),
  podsInjected: check<Subject>(
    "association",
    (p) =>
      `pods of ServiceAccount ${p.namespace}/${p.name} have EKS Pod Identity's AWS_CONTAINER_CREDENTIALS_FULL_URI and ` +
      "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    (p) =>
      `restart them (kubectl rollout restart deployment/<name> -n ${p.namespace}, or delete the pods): EKS injects Pod ` +
      "Identity's environment only into pods created after the association exists; a pod that also has AWS_ROLE_ARN and " +
      "AWS_WEB_IDENTITY_TOKEN_FILE (IRSA) gets the web identity's credentials first: remove the ServiceAccount's " +
      `${ROLE_ARN_ANNOTATION} annotation, then restart it`,
  ),
  workloadPresent: workloadPresentCheck("association"),
  workloadServiceAccount: workloadServiceAccountCheck(
    "association",
    "EKS hands credentials only to pods of the associated ServiceAccount, created after the association",
  ),
  workloadExpectsRole: check<{ workload: Workload }>(
    "association",
    (p) => `${p.workload.kind} ${p.workload.name} expects the target role ARN`,
    () => "pass account-b's roleArn output (the target role) as the access check's expectedRoleArn",
  ),
  sourceTrust: check<Live & { cluster?: string; action: string; sourceRoleArn?: string }>(
    "source-role",
    (p) => `the source role trusts pods.eks.amazonaws.com for ${p.action} with this cluster's session tags`,
    (p) =>
      "the source role's trust must allow the service pods.eks.amazonaws.com sts:AssumeRole and sts:TagSession with " +
      `aws:RequestTag/eks-cluster-arn = ${p.cluster ?? "<the cluster's ARN>"} ` +
      says(
        p,
        "(PodIdentitySourceRole writes it)",
        `(buildPodIdentitySourceTrustPolicy writes it): aws iam update-assume-role-policy --role-name ` +
          `${roleName(p.sourceRoleArn, "<source role>")} --policy-document file://trust.json (credentials of the cluster's account)`,
      ),
  ),
  sourceTrustNarrow: check<{ fixes: string[]; sourceRoleArn?: string }>(
    "source-role",
    () =>
      "the source role's trust admits pods.eks.amazonaws.com only for one cluster (aws:RequestTag/eks-cluster-arn)",
    (p) =>
      `${p.fixes.join("; ")} in the source role's trust (buildPodIdentitySourceTrustPolicy writes it): aws iam ` +
      `update-assume-role-policy --role-name ${roleName(p.sourceRoleArn, "<source role>")} --policy-document file://trust.json`,
  ),
  sourcePermission: check<Live & { targetRoleArn?: string; action: string; sourceRoleArn?: string }>(
    "source-role",
    (p) => `the source role may ${p.action} on the target role`,
    (p) =>
      `allow sts:AssumeRole and sts:TagSession on ${p.targetRoleArn ?? "account-b's roleArn"} in the source role's ` +
      says(
        p,
        "policy: account-a's second update adds it (CrossAccountPodIdentity)",
        "inline or attached policies (buildPodIdentitySourcePermissionPolicy writes one): aws iam put-role-policy " +
          `--role-name ${roleName(p.sourceRoleArn, "<source role>")} --policy-name chain-into-target --policy-document file://chain.json`,
      ),
  ),
  targetTrust: check<
    Live &
      InGrant &
      Subject & { action: string; sourceRoleArn?: string; cluster?: string; targetRoleArn?: string }
  >(
    "target-trust",
    (p) =>
      `the target role trusts the source role to ${p.action} for ${p.namespace}/${p.name} of this cluster`,
    (p) =>
      "the target role's trust must allow account A's root with ArnEquals aws:PrincipalArn = " +
      says(p, "the source role", p.sourceRoleArn ?? "the source role") +
      " and StringEquals aws:RequestTag/eks-cluster-arn = " +
      says(p, "the cluster", p.cluster ?? "the cluster's ARN") +
      `, aws:RequestTag/kubernetes-namespace = ${p.namespace}, aws:RequestTag/kubernetes-service-account = ${p.name}` +
      says(
        p,
        inGrant(
          p,
          ": check cross-account-irsa:serviceAccounts on account-b, and run account-b's update after account-a's so it " +
            "reads the current clusterArn and sourceRoleArn",
          (g) =>
            `: check ${grantEntryField(g, "serviceAccounts")} and its sourceRoleName (the source role) on account-b, ` +
            "and run account-b's update after account-a's so it reads the current clusterArn",
        ),
        " (buildPodIdentityTargetTrustPolicy writes it): aws iam update-assume-role-policy --role-name " +
          `${roleName(p.targetRoleArn, "<target role>")} --policy-document file://trust.json (credentials of the target role's account)`,
      ),
  ),
  targetTrustNarrow: check<{ fixes: string[]; targetRoleArn?: string }>(
    "target-trust",
    () =>
      "the target role's trust admits only the source role (aws:PrincipalArn) for named ServiceAccounts (the namespace " +
      "and service-account session tags)",
    (p) =>
      `${p.fixes.join("; ")} in the target role's trust (buildPodIdentityTargetTrustPolicy writes it): aws iam ` +
      `update-assume-role-policy --role-name ${roleName(p.targetRoleArn, "<target role>")} --policy-document file://trust.json`,
  ),
  serviceAccountTrusted: serviceAccountTrustedCheck(
    "target-trust",
    (p) => `ServiceAccount ${p.namespace}/${p.name} is one the target role trusts`,
  ),
};
