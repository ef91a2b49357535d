/**
 * Which credentials a pod's AWS SDK takes when one binding sets up several mechanisms for its
 * ServiceAccount, and which mechanisms one binding may set up together. Pure: no Pulumi or AWS
 * package is imported.
 */
import { InputError } from "./errors";
import { Mechanism } from "./mechanism";

/**
 * Which credentials a pod uses when several mechanisms hand it some (lower first; see
 * {@link podCredentialPath}). The SDKs search their chain in order and stop at the first source that
 * gives credentials (https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html):
 * - IRSA before Pod Identity: every SDK tries web identity (`AWS_ROLE_ARN` and
 *   `AWS_WEB_IDENTITY_TOKEN_FILE`, injected by the IRSA webhook) before the container credential
 *   provider (Pod Identity's agent endpoint,
 *   https://docs.aws.amazon.com/eks/latest/userguide/pod-id-how-it-works.html).
 * - IRSA with role chaining before Pod Identity: with `AWS_PROFILE` set, the JavaScript SDK v3 reads
 *   the profile (`fromIni`) before the web identity variables and the container provider
 *   (https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/setting-credentials-node.html;
 *   `defaultProvider` in @aws-sdk/credential-provider-node), boto3 and the AWS CLI take the profile's
 *   assume-role provider before web identity and the container provider
 *   (https://docs.aws.amazon.com/boto3/latest/guide/credentials.html). The Java v2 and Go v2 SDKs read
 *   the webhook's variables first (https://docs.aws.amazon.com/sdk-for-java/latest/developer-guide/credentials-chain.html)
 *   and run as the source role, which can only assume the grant's role: that is irsa-chained's own
 *   limit (the probe fails on it), and still not Pod Identity.
 * - IRSA and IRSA with role chaining never meet in one pod: {@link checkBindingMechanisms} refuses the
 *   pair (one `eks.amazonaws.com/role-arn` annotation names one role).
 */
export const CREDENTIAL_PRECEDENCE: Record<Mechanism, number> = {
  [Mechanism.Irsa]: 0,
  [Mechanism.IrsaChained]: 1,
  [Mechanism.PodIdentity]: 2,
};

/**
 * The mechanisms one binding may set up together, for one ServiceAccount: `irsa` and `irsa-chained`
 * are refused as a pair (the ServiceAccount's one `eks.amazonaws.com/role-arn` annotation names
 * either the grant's role, for IRSA, or account A's source role, for the chain: never both,
 * https://docs.aws.amazon.com/eks/latest/userguide/cross-account-access.html). A grant may trust both
 * (its clusters' bindings then pick one each): moving a binding from one to the other is one update.
 *
 * @throws InputError naming `field`, the list and the rule.
 */
export function checkBindingMechanisms(field: string, mechanisms: readonly Mechanism[]): Mechanism[] {
  if (mechanisms.includes(Mechanism.Irsa) && mechanisms.includes(Mechanism.IrsaChained)) {
    throw new InputError(
      field,
      mechanisms,
      'must not list both "irsa" and "irsa-chained": the ServiceAccount has one eks.amazonaws.com/role-arn ' +
        "annotation, which names the grant's role for IRSA but account A's source role for the chain; " +
        "to move from one to the other, list only the new one (the grant may trust both meanwhile)",
    );
  }
  return [...mechanisms];
}

/** The path a pod's AWS SDK takes when the listed mechanisms are all set up for its service account. */
export function podCredentialPath(mechanisms: readonly Mechanism[]): Mechanism {
  if (mechanisms.length === 0)
    throw new InputError("mechanisms", mechanisms, "must name at least one mechanism");
  return [...mechanisms].sort((a, b) => CREDENTIAL_PRECEDENCE[a] - CREDENTIAL_PRECEDENCE[b])[0];
}
