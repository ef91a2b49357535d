/**
 * Cross-checks the package's narrow evaluators against an independent IAM policy simulator,
 * @cloud-copilot/iam-simulate (AGPL: a devDependency, used by this test only, never shipped).
 *
 * - evaluateAccess vs `runSimulation`: the generated identity policy of a role in account B, the
 *   bucket (and KMS key) in the same account, no bucket policy, no SCPs. For KMS the simulator (like
 *   KMS) also needs the key policy to let the account's IAM policies grant access, so the default key
 *   policy is passed as the resource policy.
 * - evaluateTrust vs `runUnsafeSimulation`: the validated `runSimulation` drops every condition key
 *   it does not know for the action, and it only knows OIDC keys of the form `<host>:<claim>` with no
 *   `/` in the host, so EKS keys (`oidc.eks.<region>.amazonaws.com/id/<ID>:sub`) never reach the
 *   engine and every request is implicitly denied. `runSimulation` is still used to validate each
 *   trust policy; the decisions come from `runUnsafeSimulation`, which passes context keys through.
 *   Its resource policy must be given as a validated-policy envelope (it loads a bare document without
 *   a name and then fails reading the name).
 */
import { expect } from "chai";
import fc from "fast-check";
import {
  runSimulation,
  runUnsafeSimulation,
  type RunSimulationResults,
  type Simulation,
} from "@cloud-copilot/iam-simulate";
import { evaluateAccess, evaluateTrust, type Decision } from "../../components/evaluate";
import { type PolicyDocument } from "../../components/policyDocument";
import {
  buildS3AccessPolicy,
  type S3AccessLevel,
  type S3AccessOptions,
} from "../../components/s3AccessPolicy";
import { buildTrustPolicy, type TrustedCluster } from "../../components/trustPolicy";
import { SIMULATOR_DECISION } from "../support/simulator";
import { ACCOUNT_B, dnsLabel, dnsSubdomain, eksHostPath, HOST_A, PROVIDER_A } from "./coreHelpers";

const PRINCIPAL = `arn:aws:sts::${ACCOUNT_B}:assumed-role/irsa-s3-reader/botocore-session-1700000000`;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT_B}:role/irsa-s3-reader`;
const BUCKET = "team-data";
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
const KEY = `arn:aws:kms:eu-west-1:${ACCOUNT_B}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const OTHER_KEY = `arn:aws:kms:eu-west-1:${ACCOUNT_B}:key/ffffffff-12ab-34cd-56ef-1234567890ab`;
/** The default key policy: the account's IAM policies decide. */
const DEFAULT_KEY_POLICY = {
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT_B}:root` }, Action: "kms:*", Resource: "*" },
  ],
};

/** The simulator's verdict in this package's terms; `NotApplicable` when the action has no such resource. */
type Verdict = Decision | "NotApplicable";

function verdictOf(result: RunSimulationResults): Verdict {
  if (result.resultType === "error") {
    // The action does not apply to this kind of resource (GetObject on a bucket ARN, ...): AWS can
    // never allow it, and our evaluator must not either.
    if (result.errors.message === "no.resource.types") return "NotApplicable";
    throw new Error(`iam-simulate rejected the simulation: ${JSON.stringify(result.errors)}`);
  }
  if (result.resultType === "single") {
    expect(result.result.ignoredContextKeys ?? [], "context keys the simulator ignored").to.deep.equal([]);
  }
  return SIMULATOR_DECISION[result.overallResult];
}

async function simulateAccess(
  policy: PolicyDocument,
  action: string,
  resource: string,
  context: Record<string, string> = {},
): Promise<Verdict> {
  const simulation: Simulation = {
    request: {
      principal: PRINCIPAL,
      action,
      resource: { resource, accountId: ACCOUNT_B },
      contextVariables: context,
    },
    identityPolicies: [{ name: "irsa-s3-access", policy }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(action.startsWith("kms:") ? { resourcePolicy: DEFAULT_KEY_POLICY } : {}),
  };
  return verdictOf(await runSimulation(simulation, {}));
}

/** Runs both evaluators and returns a description of the disagreement, or undefined. */
async function compareAccess(
  policy: PolicyDocument,
  action: string,
  resource: string,
  context?: Record<string, string>,
): Promise<string | undefined> {
  const theirs = await simulateAccess(policy, action, resource, context);
  const ours = evaluateAccess(policy, { absent: ["*"], action, resource, context }).decision;
  const expected: Decision = theirs === "NotApplicable" ? "ImplicitDeny" : theirs;
  return ours === expected
    ? undefined
    : `${action} on ${resource} ${JSON.stringify(context ?? {})}: ours ${ours}, iam-simulate ${theirs}`;
}

const OBJECT_ACTIONS_TO_TRY = [
  "s3:GetObject",
  "s3:PutObject",
  "s3:DeleteObject",
  "s3:AbortMultipartUpload",
  "s3:GetObjectAcl",
];
const BUCKET_ACTIONS_TO_TRY = ["s3:GetBucketPolicy", "s3:DeleteBucket", "s3:ListBucketMultipartUploads"];
const KMS_ACTIONS_TO_TRY = ["kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt"];
const KEYS = [
  "reports/q1.csv",
  "reports/",
  "reports/sub/deep.txt",
  "report",
  "Reports/q1.csv",
  "logs/2024/app.log",
  "logs/2023/app.log",
  "data",
  "database/x",
  "a:b/c.txt",
  "other/x",
];
const LIST_PREFIXES = ["reports/", "reports/sub/", "report", "logs/", "", "database/"];

describe("cross-check with @cloud-copilot/iam-simulate", function () {
  // The simulator loads its IAM data lazily on the first simulation.
  this.timeout(20000);

  before(async () => {
    const warm = await simulateAccess(
      buildS3AccessPolicy({ bucketName: BUCKET }),
      "s3:GetObject",
      `${BUCKET_ARN}/x`,
    );
    expect(warm).to.equal("Allow");
  });

  describe("evaluateAccess agrees with runSimulation on a grid of policies, actions and resources", () => {
    const policies: S3AccessOptions[] = [
      { bucketName: BUCKET },
      { bucketName: BUCKET, prefixes: ["reports/", "logs/2024/"], kmsKeyArn: KEY },
      { bucketName: BUCKET, access: "read-write", prefixes: ["reports/"], kmsKeyArn: KEY },
      { bucketName: BUCKET, access: "read-write" },
      { bucketName: BUCKET, access: "list", prefixes: ["data"], kmsKeyArn: KEY },
      { bucketName: BUCKET, access: "list" },
    ];
    for (const options of policies) {
      it(JSON.stringify(options), async () => {
        const policy = buildS3AccessPolicy(options);
        const mismatches: string[] = [];
        const verdicts = new Set<Decision>();
        const record = async (action: string, resource: string, context?: Record<string, string>) => {
          const m = await compareAccess(policy, action, resource, context);
          if (m) mismatches.push(m);
          verdicts.add(evaluateAccess(policy, { absent: ["*"], action, resource, context }).decision);
        };
        const objects = [
          ...KEYS.map((k) => `${BUCKET_ARN}/${k}`),
          `arn:aws:s3:::other-bucket/reports/q1.csv`,
        ];
        const buckets = [BUCKET_ARN, `${BUCKET_ARN}-2`];
        for (const action of OBJECT_ACTIONS_TO_TRY) {
          for (const resource of [...objects, BUCKET_ARN]) await record(action, resource);
        }
        for (const action of BUCKET_ACTIONS_TO_TRY) {
          for (const resource of [...buckets, `${BUCKET_ARN}/reports/q1.csv`]) await record(action, resource);
        }
        for (const resource of [...buckets, `${BUCKET_ARN}/reports/q1.csv`]) {
          await record("s3:ListBucket", resource);
          for (const prefix of LIST_PREFIXES)
            await record("s3:ListBucket", resource, { "s3:prefix": prefix });
        }
        for (const action of KMS_ACTIONS_TO_TRY) {
          for (const resource of [KEY, OTHER_KEY, BUCKET_ARN]) await record(action, resource);
        }
        expect(mismatches).to.deep.equal([]);
        // Both outcomes occurred, so the grid is not trivially all-deny or all-allow.
        expect([...verdicts].sort()).to.deep.equal(["Allow", "ImplicitDeny"]);
      });
    }

    it("an explicit Deny added to a generated policy wins in both", async () => {
      const policy = buildS3AccessPolicy({ bucketName: BUCKET, access: "read-write" });
      policy.Statement.push({
        Sid: "DenySecrets",
        Effect: "Deny",
        Action: ["s3:GetObject", "s3:PutObject"],
        Resource: `${BUCKET_ARN}/secret/*`,
      });
      const mismatches: string[] = [];
      for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]) {
        for (const key of ["secret/a", "secret", "public/a"]) {
          const m = await compareAccess(policy, action, `${BUCKET_ARN}/${key}`);
          if (m) mismatches.push(m);
        }
      }
      expect(mismatches).to.deep.equal([]);
      expect(
        evaluateAccess(policy, { absent: ["*"], action: "s3:GetObject", resource: `${BUCKET_ARN}/secret/a` })
          .decision,
      ).to.equal("ExplicitDeny");
    });
  });

  it("evaluateAccess agrees with runSimulation on random policies and requests (property)", async () => {
    const prefixArb = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,4}\/?$/);
    // Non-empty (S3 has no empty keys; the simulator finds no resource type for `bucket/`), and no
    // '*' or '?' (the simulator reads a request resource with them as a pattern).
    const keyArb = fc.stringMatching(/^[a-zA-Z0-9/._:-]{1,10}$/);
    const actionArb = fc.constantFrom(
      ...OBJECT_ACTIONS_TO_TRY,
      ...BUCKET_ACTIONS_TO_TRY,
      "s3:ListBucket",
      "s3:ListBucket",
      ...KMS_ACTIONS_TO_TRY,
    );
    const resourceArb = fc.oneof(
      keyArb.map((k) => `${BUCKET_ARN}/${k}`),
      fc.constantFrom(BUCKET_ARN, "arn:aws:s3:::other-bucket", KEY, OTHER_KEY),
      keyArb.map((k) => `arn:aws:s3:::other-bucket/${k}`),
    );
    const requestArb = fc.record({
      action: actionArb,
      resource: resourceArb,
      prefix: fc.option(fc.oneof(keyArb, prefixArb), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<S3AccessLevel>("read", "read-write", "list"),
        fc.array(prefixArb, { maxLength: 3 }),
        fc.boolean(),
        fc.array(requestArb, { minLength: 1, maxLength: 5 }),
        async (access, prefixes, withKey, requests) => {
          const policy = buildS3AccessPolicy({
            bucketName: BUCKET,
            access,
            prefixes,
            ...(withKey ? { kmsKeyArn: KEY } : {}),
          });
          for (const { action, resource, prefix } of requests) {
            const context =
              action === "s3:ListBucket" && prefix !== undefined ? { "s3:prefix": prefix } : undefined;
            const m = await compareAccess(policy, action, resource, context);
            expect(m).to.equal(undefined);
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  describe("evaluateTrust agrees with the simulator's engine", () => {
    const trustSimulation = (
      trust: PolicyDocument,
      providerArn: string,
      context: Record<string, string>,
    ): Simulation => ({
      request: {
        principal: providerArn,
        action: "sts:AssumeRoleWithWebIdentity",
        resource: { resource: ROLE_ARN, accountId: ACCOUNT_B },
        contextVariables: context,
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: trust,
    });

    const simulateTrust = (
      trust: PolicyDocument,
      oidcProviderArn: string,
      sub: string,
      aud: string,
    ): Decision => {
      const hostPath = oidcProviderArn.split(":oidc-provider/")[1];
      const simulation = trustSimulation(trust, oidcProviderArn, {
        [`${hostPath}:sub`]: sub,
        [`${hostPath}:aud`]: aud,
      });
      simulation.resourcePolicy = {
        __validated: true,
        policyDocument: trust,
        metadata: { name: "trust" },
        errors: [],
      };
      return SIMULATOR_DECISION[runUnsafeSimulation(simulation, {})];
    };

    it("the validated runSimulation accepts the trust policy but drops EKS condition keys (why the unsafe run)", async () => {
      const trust = buildTrustPolicy([
        {
          oidcProviderArn: PROVIDER_A,
          issuerUrl: HOST_A,
          serviceAccounts: [{ namespace: "apps", name: "reader" }],
        },
      ]);
      const result = await runSimulation(
        trustSimulation(trust, PROVIDER_A, {
          [`${HOST_A}:sub`]: "system:serviceaccount:apps:reader",
          [`${HOST_A}:aud`]: "sts.amazonaws.com",
        }),
        {},
      );
      expect(result.resultType).to.equal("single");
      if (result.resultType !== "single") return;
      expect(result.result.ignoredContextKeys).to.deep.equal([`${HOST_A}:sub`, `${HOST_A}:aud`]);
      expect(result.overallResult).to.equal("ImplicitlyDenied");
      // The same request through the engine directly, with the keys: allowed, as by evaluateTrust.
      expect(
        simulateTrust(trust, PROVIDER_A, "system:serviceaccount:apps:reader", "sts.amazonaws.com"),
      ).to.equal("Allow");
    });

    it("on random trust policies and near-miss requests (property)", async () => {
      const saArb = fc.record({ namespace: dnsLabel(6), name: dnsSubdomain() });
      // Namespaces are named literally under StringLike; names may be patterns, up to a whole
      // namespace (allowed below with trustWholeNamespaces: the guard has its own tests).
      const likeSaArb = fc.record({
        namespace: dnsLabel(6),
        name: fc.oneof(
          dnsSubdomain(),
          dnsLabel(4).map((l) => `${l}?`),
          dnsLabel(4).map((l) => `${l}-*`),
          fc.constant("*"),
        ),
      });
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(eksHostPath(), { minLength: 1, maxLength: 2 }),
          fc.boolean(),
          fc.array(saArb, { minLength: 1, maxLength: 3 }),
          fc.array(likeSaArb, { minLength: 1, maxLength: 3 }),
          fc.array(fc.tuple(dnsLabel(6), dnsSubdomain()), { minLength: 1, maxLength: 3 }),
          async (hostPaths, like, exact, patterns, strangers) => {
            const serviceAccounts = like ? patterns.concat(exact) : exact;
            const providers = hostPaths.map((h) => `arn:aws:iam::${ACCOUNT_B}:oidc-provider/${h}`);
            const clusters: TrustedCluster[] = hostPaths.map((h, i) => ({
              oidcProviderArn: providers[i],
              issuerUrl: `https://${h}`,
              serviceAccounts: i === 0 ? serviceAccounts : exact.slice(0, 1),
            }));
            const trust = buildTrustPolicy(clusters, {
              conditionTest: like ? "StringLike" : "StringEquals",
              trustWholeNamespaces: true,
            });
            const validated = await runSimulation(trustSimulation(trust, providers[0], {}), {});
            expect(validated.resultType, JSON.stringify(validated)).to.equal("single");

            const subjects = [
              ...serviceAccounts.map((sa) => `system:serviceaccount:${sa.namespace}:${sa.name}`),
              ...exact.map((sa) => `system:serviceaccount:${sa.namespace}x:${sa.name}`),
              ...exact.map((sa) => `system:serviceaccount:${sa.namespace}:${sa.name}-2`),
              ...strangers.map(([ns, name]) => `system:serviceaccount:${ns}:${name}`),
              ...patterns.map((p) => `system:serviceaccount:${p.namespace}:${p.name.replace(/[*?]/g, "z")}`),
            ];
            const requestProviders = [
              ...providers,
              `arn:aws:iam::999988887777:oidc-provider/${hostPaths[0]}`,
            ];
            const mismatches: string[] = [];
            const compare = (arn: string, sub: string, aud: string) => {
              const ours = evaluateTrust(trust, { oidcProviderArn: arn, sub, aud }).decision;
              const theirs = simulateTrust(trust, arn, sub, aud);
              if (ours !== theirs)
                mismatches.push(`${arn} ${sub} ${aud}: ours ${ours}, iam-simulate ${theirs}`);
            };
            for (const arn of requestProviders) {
              for (const sub of subjects) compare(arn, sub, "sts.amazonaws.com");
            }
            for (const sub of subjects.slice(0, 3)) compare(providers[0], sub, "sts.amazonaws.com.cn");
            expect(mismatches).to.deep.equal([]);
            // Not vacuous: the first trusted subject is allowed through its provider.
            expect(simulateTrust(trust, providers[0], subjects[0], "sts.amazonaws.com")).to.equal("Allow");
          },
        ),
        { numRuns: 15 },
      );
    });
  });
});
