/**
 * A healthy live IRSA snapshot, as the doctor's collector fills it, for the tests of chain/'s live
 * checks (not a test file); `change` breaks one fact.
 */
import { type CheckResult, type IrsaSnapshot } from "../../chain";
import { checkChain } from "../../mechanisms";
import { buildS3AccessPolicy } from "../../components/s3AccessPolicy";
import { buildTrustPolicy } from "../../components/trustPolicy";

export const ISSUER = "https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
export const HOST = ISSUER.slice("https://".length);
export const B = "444455556666";
export const PROVIDER = `arn:aws:iam::${B}:oidc-provider/${HOST}`;
export const ROLE = `arn:aws:iam::${B}:role/reader`;
export const SA = { namespace: "apps", name: "reader" };
export const KEY = `arn:aws:kms:eu-west-1:${B}:key/1234`;

/** A healthy live snapshot; `change` breaks one fact. */
export function live(change: (s: IrsaSnapshot) => void = () => undefined): IrsaSnapshot {
  const s: IrsaSnapshot = {
    mechanism: "irsa",
    issuerUrl: ISSUER,
    provider: {
      arn: PROVIDER,
      url: ISSUER,
      clientIds: ["sts.amazonaws.com"],
      thumbprints: [],
      adopted: true,
    },
    role: {
      arn: ROLE,
      trustPolicy: JSON.stringify(
        buildTrustPolicy([{ oidcProviderArn: PROVIDER, issuerUrl: ISSUER, serviceAccounts: [SA] }]),
      ),
    },
    permissionPolicies: {
      "s3-access": JSON.stringify(buildS3AccessPolicy({ bucketName: "team-data", kmsKeyArn: KEY })),
    },
    trusted: [SA],
    bucketName: "team-data",
    objectKey: "reports/q3.csv",
    serviceAccount: { ...SA, annotations: { "eks.amazonaws.com/role-arn": ROLE } },
    workloads: [],
    deployProbe: false,
    unavailable: { workloads: "the doctor reads pods" },
    live: {
      cluster: { name: "demo", region: "eu-west-1", accountId: "111122223333" },
      roleAccountId: B,
      discovery: {
        url: `${ISSUER}/.well-known/openid-configuration`,
        document: { issuer: ISSUER, jwksUri: `${ISSUER}/keys` },
        jwksKeyIds: ["k1"],
      },
      pods: [
        {
          name: "reader-1",
          containers: [
            { name: "c", env: { AWS_ROLE_ARN: ROLE, AWS_WEB_IDENTITY_TOKEN_FILE: "/var/run/token" } },
          ],
        },
      ],
      attachedPolicies: {},
      bucketPolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "TlsOnly",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: ["arn:aws:s3:::team-data", "arn:aws:s3:::team-data/*"],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      }),
      object: { exists: true, detail: "22 bytes", kmsKeyArn: KEY },
      kmsKey: {
        arn: KEY,
        awsManaged: false,
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "Root",
              Effect: "Allow",
              Principal: { AWS: `arn:aws:iam::${B}:root` },
              Action: "kms:*",
              Resource: "*",
            },
          ],
        }),
      },
    },
  };
  change(s);
  return s;
}

export const find = (results: CheckResult[], check: RegExp) => {
  const r = results.find((x) => check.test(x.check));
  if (!r) throw new Error(`no check ${check} in ${results.map((x) => x.check).join(" | ")}`);
  return r;
};
export const statusOf = (s: IrsaSnapshot, check: RegExp) => find(checkChain(s), check).status;
