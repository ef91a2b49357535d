import { expect } from "chai";
import { type V1Pod } from "@kubernetes/client-node";
import {
  accountOf,
  decodePolicyDocument,
  diagnoseStep,
  podFacts,
  providerFacts,
  roleNameOf,
} from "../../../../mechanisms/irsa/doctor/facts";

const REF = {
  mechanism: "irsa" as const,
  namespace: "apps",
  jobName: "(doctor --assume)",
  expectedRoleArn: "arn:aws:iam::444455556666:role/reader",
  bucketName: "team-data",
  objectKey: "k",
  serviceAccount: { namespace: "apps", name: "reader" },
};

describe("doctor: facts from AWS and Kubernetes answers", () => {
  it("decodes the URL-encoded policy documents IAM returns, and leaves JSON as it is", () => {
    const doc =
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::a b/*"}]}';
    expect(decodePolicyDocument(encodeURIComponent(doc))).to.equal(doc);
    expect(decodePolicyDocument(doc)).to.equal(doc);
    expect(decodePolicyDocument("%E0%A4%A")).to.equal("%E0%A4%A");
    expect(decodePolicyDocument(undefined)).to.equal(undefined);
  });

  it("keeps the pods that run as the ServiceAccount (default when unset), with their environment (valueFrom named, not read)", () => {
    const pods: V1Pod[] = [
      {
        metadata: { name: "b", creationTimestamp: new Date("2025-01-01T00:00:00Z") },
        spec: {
          serviceAccountName: "reader",
          containers: [
            {
              name: "c",
              env: [
                { name: "AWS_ROLE_ARN", value: "arn" },
                { name: "FROM_SECRET", valueFrom: { secretKeyRef: { name: "s", key: "k" } } },
                { name: "FROM_NOTHING", valueFrom: {} },
              ],
              envFrom: [
                { secretRef: { name: "static-keys" } },
                { configMapRef: { name: "app" }, prefix: "APP_" },
              ],
            },
          ],
        },
      },
      { metadata: { name: "a" }, spec: { serviceAccountName: "reader", containers: [{ name: "c" }] } },
      { metadata: { name: "other" }, spec: { containers: [{ name: "c" }] } },
    ];
    expect(podFacts(pods, "reader")).to.deep.equal([
      { name: "a", containers: [{ name: "c", env: {} }] },
      {
        name: "b",
        createdAt: "2025-01-01T00:00:00.000Z",
        containers: [
          {
            name: "c",
            env: {
              AWS_ROLE_ARN: "arn",
              FROM_SECRET: "(set from secretKeyRef)",
              FROM_NOTHING: "(set from valueFrom)",
            },
            envFrom: ["secretRef static-keys", "configMapRef app with prefix APP_"],
          },
        ],
      },
    ]);
    expect(podFacts(pods, "default").map((p) => p.name)).to.deep.equal(["other"]);
  });

  it("reads a provider, a role name behind a path and an ARN's account", () => {
    expect(providerFacts("arn:p", { Url: "oidc.example.com/id/X", ClientIDList: ["a"] })).to.deep.equal({
      arn: "arn:p",
      url: "https://oidc.example.com/id/X",
      clientIds: ["a"],
      thumbprints: [],
      adopted: true,
    });
    expect(roleNameOf("arn:aws:iam::444455556666:role/team/irsa/reader")).to.equal("reader");
    expect(accountOf("arn:aws:kms:us-east-1:444455556666:key/1")).to.equal("444455556666");
  });

  it("points a failed end-to-end step at its link, as npm run verify does", () => {
    const noProvider = diagnoseStep(
      "sts",
      "InvalidIdentityToken: No OpenIDConnect provider found in your account for https://oidc.eks.us-east-1.amazonaws.com/id/X",
      REF,
    );
    expect(noProvider.pointsTo).to.equal("oidc-provider");
    expect(noProvider.advice).to.match(/^account B has no IAM OIDC provider/);
    expect(diagnoseStep("sts", "InvalidIdentityToken: Incorrect token audience", REF).pointsTo).to.equal(
      "oidc-provider",
    );
    const denied = diagnoseStep(
      "sts",
      "AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity",
      REF,
    );
    expect(denied.pointsTo).to.equal("trust-policy");
    expect(denied.advice).to.not.match(/IRSA link/);
    expect(diagnoseStep("s3", "AccessDenied: Access Denied", REF).pointsTo).to.equal("permission");
    expect(diagnoseStep("s3", "NoSuchKey: The specified key does not exist.", REF).pointsTo).to.equal(
      undefined,
    );
  });
});
