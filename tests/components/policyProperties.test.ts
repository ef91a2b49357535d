/**
 * Model-based properties of the generated documents: what evaluateTrust / evaluateAccess allow is
 * exactly what the inputs say, and nothing near it.
 */
import { expect } from "chai";
import fc from "fast-check";
import { evaluateAccess, evaluateTrust, type Decision } from "../../components/evaluate";
import { sealDocument } from "../../components/policyGrammar";
import { buildS3AccessPolicy, type S3AccessLevel } from "../../components/s3AccessPolicy";
import {
  buildTrustPolicy,
  MAX_TRUST_POLICY_QUOTA,
  serviceAccountSubject,
  STS_AUDIENCE,
  type ServiceAccountRef,
  type TrustedCluster,
} from "../../components/trustPolicy";
import { validateBucketName } from "../../components/validation";
import { ACCOUNT_B, dnsLabel, dnsSubdomain, eksHostPath } from "./coreHelpers";

const providerArn = (hostPath: string, account = ACCOUNT_B) =>
  `arn:aws:iam::${account}:oidc-provider/${hostPath}`;

interface ClusterModel {
  hostPath: string;
  arn: string;
  issuerUrl: string;
  serviceAccounts: ServiceAccountRef[];
}

/** 1..3 clusters with distinct issuers, each trusting 1..4 service accounts. */
const saArb = fc.record({ namespace: dnsLabel(8), name: dnsSubdomain() });
const clustersArb: fc.Arbitrary<ClusterModel[]> = fc
  .uniqueArray(
    fc.record({
      hostPath: eksHostPath(),
      issuerForm: fc.nat({ max: 2 }),
      serviceAccounts: fc.array(saArb, { minLength: 1, maxLength: 4 }),
    }),
    { minLength: 1, maxLength: 3, selector: (c) => c.hostPath },
  )
  .map((clusters) =>
    clusters.map(({ hostPath, issuerForm, serviceAccounts }) => ({
      hostPath,
      arn: providerArn(hostPath),
      issuerUrl: [`https://${hostPath}`, hostPath, `https://${hostPath}/`][issuerForm],
      serviceAccounts,
    })),
  );

/** Subjects that are almost a trusted one: other namespace, other name, prefixes, suffixes, case. */
function nearMisses(sa: ServiceAccountRef): string[] {
  const { namespace: ns, name } = sa;
  const sub = `system:serviceaccount:${ns}:${name}`;
  return [
    `system:serviceaccount:${ns}x:${name}`,
    `system:serviceaccount:x${ns}:${name}`,
    `system:serviceaccount:${ns.slice(0, -1) || "y"}:${name}`,
    `system:serviceaccount:default:${name}`,
    `system:serviceaccount:kube-system:${name}`,
    `system:serviceaccount:${ns}:${name}x`,
    `system:serviceaccount:${ns}:x${name}`,
    `system:serviceaccount:${ns}:${name.slice(0, -1) || "y"}`,
    `system:serviceaccount:${ns}:default`,
    `system:serviceaccount:${name}:${ns}`,
    `system:serviceaccount:${ns}:*`,
    `system:serviceaccount:${ns}:${name}:extra`,
    `system:serviceaccounts:${ns}:${name}`,
    `system:serviceaccount:${ns}`,
    sub.slice(0, -1),
    `${sub} `,
    ` ${sub}`,
    sub.toUpperCase(),
    `${sub}\u0000`,
    name,
    `${ns}:${name}`,
    "",
    "*",
  ];
}

describe("trust policy properties", () => {
  it("allows exactly the listed service accounts, with audience sts.amazonaws.com, through their own provider", () => {
    fc.assert(
      fc.property(
        clustersArb,
        fc.array(fc.string({ maxLength: 40 }), { maxLength: 5 }),
        (clusters, randomSubs) => {
          const input: TrustedCluster[] = clusters.map((c) => ({
            oidcProviderArn: c.arn,
            issuerUrl: c.issuerUrl,
            serviceAccounts: c.serviceAccounts,
          }));
          // Sealed as the plan's access matrix seals its documents: checked once, evaluated for every request.
          const doc = sealDocument(buildTrustPolicy(input, { maxSize: MAX_TRUST_POLICY_QUOTA }));
          expect(doc.Statement).to.have.length(clusters.length);

          const trusted = new Map(
            clusters.map((c) => [c.arn, new Set(c.serviceAccounts.map(serviceAccountSubject))]),
          );
          const mismatches: string[] = [];
          const check = (arn: string, sub: string, aud: string) => {
            const expected: Decision =
              aud === STS_AUDIENCE && trusted.get(arn)?.has(sub) ? "Allow" : "ImplicitDeny";
            const actual = evaluateTrust(doc, { oidcProviderArn: arn, sub, aud }).decision;
            if (actual !== expected)
              mismatches.push(`${arn} ${JSON.stringify(sub)} ${aud}: ${actual}, expected ${expected}`);
          };

          // Every provider, including ones the role does not trust: the same issuer in another
          // account, another issuer, a provider ARN for a path prefix of the issuer.
          const providers = [
            ...clusters.map((c) => c.arn),
            providerArn(clusters[0].hostPath, "999988887777"),
            providerArn("oidc.eks.eu-west-1.amazonaws.com/id/FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"),
            providerArn(clusters[0].hostPath.replace(/\/id\/.*/, "/id")),
            `arn:aws-cn:iam::${ACCOUNT_B}:oidc-provider/${clusters[0].hostPath}`,
          ];
          // Each cluster's provider: its own subjects, their near misses, the other clusters' subjects
          // and random strings. The providers the role does not trust: every trusted subject.
          const allTrusted = clusters.flatMap((c) => c.serviceAccounts.map(serviceAccountSubject));
          for (const c of clusters) {
            const subjects = new Set<string>([...randomSubs, ...allTrusted]);
            for (const sa of c.serviceAccounts) for (const miss of nearMisses(sa)) subjects.add(miss);
            for (const sub of subjects) check(c.arn, sub, STS_AUDIENCE);
          }
          for (const arn of providers.slice(clusters.length)) {
            for (const sub of allTrusted) check(arn, sub, STS_AUDIENCE);
          }
          // Any other audience, for the subjects that are trusted.
          for (const c of clusters) {
            for (const sa of c.serviceAccounts) {
              for (const aud of [
                "",
                "sts.amazonaws.com ",
                "STS.AMAZONAWS.COM",
                "sts.amazonaws.com.cn",
                "*",
                "kubernetes",
              ]) {
                check(c.arn, serviceAccountSubject(sa), aud);
              }
            }
          }
          expect(mismatches).to.deep.equal([]);
          // And the positive half is not vacuous.
          for (const c of clusters) {
            expect(
              evaluateTrust(doc, {
                oidcProviderArn: c.arn,
                sub: serviceAccountSubject(c.serviceAccounts[0]),
                aud: STS_AUDIENCE,
              }).decision,
            ).to.equal("Allow");
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("a custom audience replaces sts.amazonaws.com, it does not add to it", () => {
    fc.assert(
      fc.property(clustersArb, fc.stringMatching(/^[a-z0-9.:/-]{1,20}$/), (clusters, audience) => {
        const doc = buildTrustPolicy(
          clusters.map((c) => ({
            oidcProviderArn: c.arn,
            issuerUrl: c.issuerUrl,
            serviceAccounts: c.serviceAccounts,
          })),
          { audience, maxSize: MAX_TRUST_POLICY_QUOTA },
        );
        const c = clusters[0];
        const sub = serviceAccountSubject(c.serviceAccounts[0]);
        expect(evaluateTrust(doc, { oidcProviderArn: c.arn, sub, aud: audience }).decision).to.equal("Allow");
        if (audience !== STS_AUDIENCE) {
          expect(evaluateTrust(doc, { oidcProviderArn: c.arn, sub, aud: STS_AUDIENCE }).decision).to.equal(
            "ImplicitDeny",
          );
        }
      }),
      { numRuns: 60 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------

const ALL_ACTIONS = [
  "s3:GetObject",
  "s3:PutObject",
  "s3:DeleteObject",
  "s3:AbortMultipartUpload",
  "s3:ListBucket",
  "s3:ListBucketVersions",
  "s3:ListBucketMultipartUploads",
  "s3:GetObjectVersion",
  "s3:GetObjectAcl",
  "s3:PutObjectAcl",
  "s3:DeleteObjectVersion",
  "s3:GetBucketPolicy",
  "s3:PutBucketPolicy",
  "s3:DeleteBucket",
  "s3:GetObjectTagging",
  "s3:ListAllMyBuckets",
  "kms:Decrypt",
  "kms:GenerateDataKey",
  "kms:Encrypt",
  "kms:ReEncryptFrom",
  "kms:CreateGrant",
];

const MODEL_OBJECT_ACTIONS: Record<S3AccessLevel, string[]> = {
  list: [],
  read: ["s3:GetObject"],
  "read-write": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
};
const MODEL_KMS_ACTIONS: Record<S3AccessLevel, string[]> = {
  list: [],
  read: ["kms:Decrypt"],
  "read-write": ["kms:Decrypt", "kms:GenerateDataKey"],
};

const bucketArb = fc.stringMatching(/^[a-z0-9][a-z0-9.-]{1,20}[a-z0-9]$/).filter((b) => {
  try {
    validateBucketName("b", b);
    return true;
  } catch {
    return false;
  }
});
const prefixArb = fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,5}(\/[a-z0-9]{0,3})?\/?$/);
const keyArb = fc
  .array(fc.constantFrom("a", "b", "A", "/", "-", ".", "*", "?", ":", " ", "é"), { maxLength: 12 })
  .map((cs) => cs.join(""));
const KEY = "arn:aws:kms:eu-west-1:222233334444:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const OTHER_KEY = "arn:aws:kms:eu-west-1:222233334444:key/ffffffff-12ab-34cd-56ef-1234567890ab";

/** Random upper/lower casing of an action (IAM matches actions case-insensitively). */
function recase(action: string, bits: number): string {
  return action
    .split("")
    .map((c, i) => ((bits >> (i % 30)) & 1 ? c.toUpperCase() : c.toLowerCase()))
    .join("");
}

describe("S3 access policy properties", () => {
  it("allows exactly the access level's actions on exactly the bucket/prefix resources", () => {
    fc.assert(
      fc.property(
        bucketArb,
        fc.constantFrom<S3AccessLevel>("read", "read-write", "list"),
        fc.array(prefixArb, { maxLength: 3 }),
        fc.boolean(),
        fc.array(keyArb, { minLength: 1, maxLength: 6 }),
        fc.nat(),
        (bucket, access, prefixes, withKey, randomKeys, caseBits) => {
          const doc = sealDocument(
            buildS3AccessPolicy({
              bucketName: bucket,
              access,
              prefixes,
              ...(withKey ? { kmsKeyArn: KEY } : {}),
            }),
          );
          const bucketArn = `arn:aws:s3:::${bucket}`;
          const inScope = (key: string) => prefixes.length === 0 || prefixes.some((p) => key.startsWith(p));

          // Keys in and right next to each prefix, plus random ones.
          const keys = new Set<string>(randomKeys);
          for (const p of prefixes) {
            for (const k of [
              p,
              `${p}x`,
              `${p}/x`,
              p.slice(0, -1),
              `x${p}`,
              p.toUpperCase(),
              `${p.slice(0, -1)}*`,
            ]) {
              keys.add(k);
            }
          }

          interface Probe {
            resource: string;
            /** The object key, when the resource is an object of this bucket. */
            key?: string;
            kind: "bucket" | "object" | "other" | "key";
          }
          const probes: Probe[] = [
            { resource: bucketArn, kind: "bucket" },
            { resource: `${bucketArn}/`, kind: "object", key: "" },
            { resource: `arn:aws:s3:::${bucket}x`, kind: "other" },
            { resource: `arn:aws:s3:::x${bucket}/${[...keys][0]}`, kind: "other" },
            { resource: `arn:aws:s3:::${bucket}x/${[...keys][0]}`, kind: "other" },
            { resource: `arn:aws-cn:s3:::${bucket}/${[...keys][0]}`, kind: "other" },
            { resource: "*", kind: "other" },
            { resource: KEY, kind: "key" },
            { resource: OTHER_KEY, kind: "other" },
            ...[...keys].map((key): Probe => ({ resource: `${bucketArn}/${key}`, kind: "object", key })),
          ];

          const prefixContexts = [...keys].map((k) => ({ "s3:prefix": k }));
          const mismatches: string[] = [];
          for (const action of ALL_ACTIONS) {
            for (const probe of probes) {
              const listContexts: Array<Record<string, string> | undefined> =
                action === "s3:ListBucket" && probe.kind === "bucket"
                  ? [undefined, ...prefixContexts]
                  : [undefined];
              for (const context of listContexts) {
                let allowed = false;
                if (probe.kind === "object" && MODEL_OBJECT_ACTIONS[access].includes(action)) {
                  allowed = inScope(probe.key!);
                } else if (probe.kind === "bucket" && action === "s3:ListBucket") {
                  allowed = prefixes.length === 0 || (context !== undefined && inScope(context["s3:prefix"]));
                } else if (probe.kind === "key" && withKey) {
                  allowed = MODEL_KMS_ACTIONS[access].includes(action);
                }
                const expected: Decision = allowed ? "Allow" : "ImplicitDeny";
                const actual = evaluateAccess(doc, {
                  absent: ["*"],
                  action: recase(action, caseBits),
                  resource: probe.resource,
                  context,
                }).decision;
                if (actual !== expected) {
                  mismatches.push(
                    `${action} ${probe.resource} ${JSON.stringify(context)}: ${actual}, expected ${expected}`,
                  );
                }
              }
            }
          }
          expect(mismatches).to.deep.equal([]);
        },
      ),
      { numRuns: 80 },
    );
  });
});
