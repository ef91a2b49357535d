/**
 * ClusterOidcProvider (account B): the IAM OIDC provider for account A's cluster issuer, created or
 * adopted, and the checks of an adopted one.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { InputError } from "./errors";
import { normalizeIssuer } from "./issuer";
import { argChecks, checked, isPlain } from "./inputs";
import { STS_AUDIENCE } from "./trustPolicy";
import { parseOidcProviderArn, requireArray, requireString } from "./validation";
import { checkAdoptedProvider } from "./adoptedProvider";

export { checkAdoptedProvider } from "./adoptedProvider";

/** Arguments of {@link ClusterOidcProvider}. */
export interface ClusterOidcProviderArgs {
  /**
   * The cluster's OIDC issuer URL, `https://oidc.eks.<region>.amazonaws.com/id/<ID>` (account A's
   * `oidcIssuerUrl` output). With or without `https://`.
   * @default none (required)
   */
  issuerUrl: pulumi.Input<string>;
  /**
   * SHA-1 thumbprints (40 hex digits) of the issuer's root CA certificate (account A's
   * `oidcThumbprint`). Leave empty for EKS issuers: IAM then verifies the issuer through its own
   * trusted CA library. Never filled with a made-up value.
   * @default [] (IAM derives the trust)
   */
  thumbprints?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Adopt this existing provider instead of creating one. IAM allows one provider per issuer URL per
   * account, so a second stack (or a cluster created with `createOidcProvider`) must adopt. It is
   * read, checked against `issuerUrl`, and never modified or deleted by this component. With both
   * plain, a provider of another issuer throws before anything registers; with `issuerUrl` an
   * Output, the check runs once it resolves and fails the update with the same error.
   * @default none (a provider is created)
   */
  existingProviderArn?: pulumi.Input<string>;
  /**
   * Tags for a created provider.
   * @default {}
   */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * A thumbprint list as IAM stores it: 40 lower-case hex digits each, de-duplicated, sorted.
 *
 * @internal exported for the tests only
 */
export function normalizeThumbprints(thumbprints: unknown, field = "thumbprints"): string[] {
  if (thumbprints === undefined || thumbprints === null) return [];
  const list = requireArray(field, thumbprints).map((t, i) => {
    const s = requireString(`${field}[${i}]`, t).trim().toLowerCase().replace(/:/g, "");
    if (!/^[0-9a-f]{40}$/.test(s)) {
      throw new InputError(
        `${field}[${i}]`,
        t,
        "must be a SHA-1 fingerprint: 40 hex digits (colons allowed)",
      );
    }
    return s;
  });
  const unique = [...new Set(list)].sort();
  if (unique.length > 5) throw new InputError(field, thumbprints, "IAM accepts at most 5 thumbprints");
  return unique;
}

/** The fields {@link checkAdoptedProvider} names, as the component's arguments name them. */
const ADOPTED_FIELDS = ["args.existingProviderArn", "args.issuerUrl"] as const;

/**
 * Account B's IAM OIDC identity provider for account A's cluster issuer, with client id
 * `sts.amazonaws.com`: created, or adopted when `existingProviderArn` is given.
 */
export class ClusterOidcProvider extends pulumi.ComponentResource {
  /** The provider's ARN, the `Principal.Federated` of roles that trust the cluster. */
  public readonly arn: pulumi.Output<string>;
  /** The issuer as IAM keys it: host/path, no scheme, no trailing slash. */
  public readonly issuerHostPath: pulumi.Output<string>;

  constructor(name: string, args: ClusterOidcProviderArgs, opts?: pulumi.ComponentResourceOptions) {
    const { hostPath, thumbprints, existing } = argChecks(() => {
      // Validate plain inputs before anything is registered.
      const hostPath = checked(args.issuerUrl, (url) => normalizeIssuer(url, "args.issuerUrl"));
      const thumbprints = checked(args.thumbprints ?? [], (t) => normalizeThumbprints(t, "args.thumbprints"));
      const existing =
        args.existingProviderArn === undefined
          ? undefined
          : checked(
              pulumi.all([args.existingProviderArn, args.issuerUrl]) as pulumi.Input<[string, string]>,
              ([arn, issuer]) => checkAdoptedProvider(arn, issuer, undefined, ...ADOPTED_FIELDS),
            );
      if (args.existingProviderArn !== undefined && isPlain(args.existingProviderArn)) {
        parseOidcProviderArn("args.existingProviderArn", args.existingProviderArn);
        if (isPlain(args.issuerUrl))
          checkAdoptedProvider(
            args.existingProviderArn as string,
            args.issuerUrl as string,
            undefined,
            ...ADOPTED_FIELDS,
          );
      }
      return { hostPath, thumbprints, existing };
    });
    super("cross-account-irsa:index:ClusterOidcProvider", name, {}, opts);

    if (existing) {
      // Read the provider so a wrong or missing ARN fails the preview, and check its URL and client ids.
      const adopted = aws.iam.OpenIdConnectProvider.get(`${name}-existing`, existing, undefined, {
        parent: this,
      });
      this.arn = pulumi
        .all([existing, args.issuerUrl, adopted.url, adopted.clientIdLists])
        .apply(([arn, issuer, url, clientIds]) => {
          checkAdoptedProvider(arn, issuer, clientIds, ...ADOPTED_FIELDS);
          if (normalizeIssuer(url, "existing provider url") !== normalizeIssuer(issuer)) {
            throw new InputError(
              "args.existingProviderArn",
              arn,
              `the provider's URL ${url} is not args.issuerUrl ${issuer}`,
            );
          }
          return arn;
        });
    } else {
      const provider = new aws.iam.OpenIdConnectProvider(
        name,
        {
          url: pulumi.interpolate`https://${hostPath}`,
          clientIdLists: [STS_AUDIENCE],
          thumbprintLists: thumbprints.apply((t) => (t.length > 0 ? t : undefined)),
          tags: args.tags,
        },
        { parent: this },
      );
      this.arn = provider.arn;
    }
    this.issuerHostPath = hostPath;
    this.registerOutputs({ arn: this.arn, issuerHostPath: this.issuerHostPath });
  }
}
