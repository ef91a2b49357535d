/**
 * The plan of grants whose role trusts several paths, on the real programs' runs: a binding that sets
 * up irsa-chained and Pod Identity (the pods take the chained profile; Pod Identity's plain-ServiceAccount
 * check waits), a grant of two service accounts whose irsa-chained binding sets up one (its source role
 * must refuse the other), a bucket with a KMS key, a path the role trusts that account A does not set up.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildGrantsPlan, type GrantsPlan } from "../../plan/grantsBuild";
import { parsePlanGrantsConfigs } from "../../plan/grantsConfig";
import { runPasses, type StackPass } from "../../plan/passes";
import { type PlanGrantsConfigs } from "../../plan/planInput";
import { childrenOf, finalPass } from "../../plan/records";
import { loadStackConfig } from "../../stacks/stackFile";

const KMS_KEY = "arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const ACCOUNT_B = `config:
  aws:region: eu-west-1
  aws:allowedAccountIds: ["444455556666"]
  cross-account-irsa:grants:
    - key: mix
      mechanism: [pod-identity, irsa-chained]
      serviceAccounts:
        - { namespace: team-a, name: reader }
      buckets:
        - { name: acme-mix, create: true, prefixes: [data/], objectKey: data/check.txt }
        - { name: acme-mix-keyed, access: read-write, kmsKeyArn: "${KMS_KEY}" }
    - key: both
      mechanism: [irsa, irsa-chained]
      serviceAccounts:
        - { namespace: team-b, name: reader }
        - { namespace: team-b, name: writer }
      buckets:
        - { name: acme-both, create: true, objectKey: check.txt }
`;
const ACCOUNT_A = `config:
  aws:region: eu-west-1
  aws:allowedAccountIds: ["111122223333"]
  cross-account-irsa:cluster: { version: "1.33" }
  cross-account-irsa:grants:
    - key: mix
      mechanism: [pod-identity, irsa-chained]
    - key: both
      mechanism: irsa-chained
      serviceAccount: { namespace: team-b, name: writer }
`;

describe("offline plan in grants mode: grants trusting several paths", function () {
  this.timeout(60_000);
  let passes: StackPass[];
  let configs: PlanGrantsConfigs;
  let plan: GrantsPlan;

  before(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-grants-paths-"));
    try {
      fs.writeFileSync(path.join(dir, "a.yaml"), ACCOUNT_A);
      fs.writeFileSync(path.join(dir, "b.yaml"), ACCOUNT_B);
      const configA = loadStackConfig(path.join(dir, "a.yaml"));
      const configB = loadStackConfig(path.join(dir, "b.yaml"));
      configs = parsePlanGrantsConfigs(configA, configB);
      passes = await runPasses(configA, configB, configs);
      plan = buildGrantsPlan(passes, configs);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  const grant = (key: string) => plan.grants.find((g) => g.key === key)!;

  it("is as intended", () => {
    expect(plan.ok, plan.problems.join("\n")).to.be.true;
  });

  it("irsa-chained with Pod Identity: the pods take the chain; each path reads its own source role", () => {
    const mix = grant("mix");
    expect(mix.podCredentialPath).to.equal("irsa-chained");
    const [pod, chained] = ["pod-identity", "irsa-chained"].map((m) =>
      mix.paths.find((p) => p.mechanism === m)!,
    );
    expect(pod.sourceRole?.arn).to.match(/:role\/mix-pod-identity-source$/);
    expect(chained.sourceRole?.arn).to.match(/:role\/mix-chained-source$/);
    const skipped = pod.links.filter((l) => l.status === "skip");
    expect(skipped.map((l) => l.detail)).to.have.length(1);
    expect(skipped[0].detail).to.include("the pods take irsa-chained first");
    expect(chained.links.filter((l) => l.status !== "pass" && l.status !== "skip")).to.deep.equal([]);
  });

  it("a bucket with a KMS key of the grant: its KMS rows, per its access level", () => {
    const rows = grant("mix").access.filter((r) => r.resource === KMS_KEY);
    expect(rows.map((r) => [r.action, r.expected, r.actual])).to.deep.equal([
      ["kms:Decrypt", "allow", "Allow"],
      ["kms:GenerateDataKey", "allow", "Allow"],
    ]);
  });

  it("a grant of two service accounts, one bound with irsa-chained: its source role trusts that one only", () => {
    const both = grant("both");
    expect(both.binding?.serviceAccount).to.deep.equal({ namespace: "team-b", name: "writer" });
    const chained = both.paths.find((p) => p.mechanism === "irsa-chained")!;
    const row = (sub: string) =>
      chained.matrix.find(
        (r) => r.kind === "trust" && r.context.sub === sub && r.context.aud === "sts.amazonaws.com",
      );
    expect(row("system:serviceaccount:team-b:writer")).to.deep.include({ expected: "allow", ok: true });
    expect(row("system:serviceaccount:team-b:reader")).to.deep.include({ expected: "deny", ok: true });
    // IRSA: trusted by the grant for both service accounts, set up by no binding.
    const irsa = both.paths.find((p) => p.mechanism === "irsa")!;
    expect(irsa).to.deep.include({ bound: false, links: [] });
    const trusted = irsa.matrix.filter((r) => r.expected === "allow").map((r) => r.context.sub);
    expect(trusted).to.have.members([
      "system:serviceaccount:team-b:reader",
      "system:serviceaccount:team-b:writer",
    ]);
  });

  it("a source role that also trusts the grant's other service account is a mismatch of that grant", () => {
    const tampered = structuredClone(passes);
    const a = finalPass(tampered, "account-a")!;
    const role = childrenOf(a, "ChainedSourceRole", "aws:iam/role:Role").find((r) =>
      String(r.inputs.assumeRolePolicy).includes("team-b:writer"),
    )!;
    role.inputs.assumeRolePolicy = String(role.inputs.assumeRolePolicy).replace(
      '"system:serviceaccount:team-b:writer"',
      '["system:serviceaccount:team-b:reader","system:serviceaccount:team-b:writer"]',
    );
    const broken = buildGrantsPlan(tampered, configs);
    expect(broken.problems).to.have.length(1);
    expect(broken.problems[0]).to.match(
      /^grant both: irsa-chained: access matrix: sts:AssumeRoleWithWebIdentity for team-b\/reader \(the grant's, another binding's\) .*expected deny/,
    );
  });
});
