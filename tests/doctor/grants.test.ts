import { expect } from "chai";
import { InputError } from "../../components/errors";
import { StackModeError } from "../../stacks/grantsMode";
import { parseAccountAGrants, parseAccountBGrants } from "../../stacks/grantsOutputs";
import { plain } from "../support/stacksWorkspace";
import { STACKS, grantsA, grantsB, roleOf } from "../support/grantOutputs";
import { type Entry, SINGLE_A, SINGLE_B, edited, pairMode, stackMode } from "./grantsFixtures";

describe("doctor and verify: the stacks' grants mode, read from their outputs", () => {
  describe("each stack's mode, and the pair's", () => {
    it("no outputs: none; no mode output: a single-grant stack; mode grants: grants", () => {
      expect(stackMode("account-a", {})).to.equal(undefined);
      expect(stackMode("account-a", SINGLE_A)).to.equal("single-grant");
      expect(stackMode("account-a", grantsA())).to.equal("grants");
    });

    it("refuses a mode this version does not know, naming the output", () => {
      expect(() => stackMode("account-a", { ...SINGLE_A, mode: plain("many") })).to.throw(
        InputError,
        /^account-a output mode: "many" is invalid: must be "grants" when exported \(not exported: a single-grant stack\)/,
      );
      expect(() => stackMode("account-a", { ...SINGLE_A, mode: plain(1) })).to.throw(
        InputError,
        /output mode: 1/,
      );
    });

    it("refuses a grants output without mode: grants", () => {
      const { mode: _m, ...b } = grantsB();
      expect(() => stackMode("account-b", b)).to.throw(
        InputError,
        /^account-b output grants: .* is invalid: is exported without mode: "grants"/,
      );
    });

    it("a stack in grants mode beside a single-grant stack: refused naming both, either way round", () => {
      expect(() => pairMode(STACKS, grantsA(), SINGLE_B)).to.throw(
        StackModeError,
        /^stack account-a is in grants mode \(it exports mode: "grants"\) but stack account-b is a single-grant stack \(no mode output\): set cross-account-irsa:grants in both stacks' config/,
      );
      expect(() => pairMode(STACKS, SINGLE_A, grantsB())).to.throw(
        StackModeError,
        /^stack account-b is in grants mode .* but stack account-a is a single-grant stack/,
      );
      // Not the switch's half-way state (account-b is switched only after account-a).
      expect(() => pairMode(STACKS, SINGLE_A, grantsB())).to.throw(/npm run deploy\)$/);
    });

    it("account-a in grants mode beside a single-grant account-b: refused, naming the switch stopped half-way", () => {
      expect(() => pairMode(STACKS, grantsA({}), SINGLE_B)).to.throw(
        StackModeError,
        /deploy both \(npm run deploy\) \(a switch to grants mode stopped after account-a's first update, which binds nothing: its pods have no access until the deploy ends; docs\/migration\.md/,
      );
    });

    it("grants beside a stack not deployed yet is grants mode; two single-grant stacks are single-grant mode", () => {
      expect(pairMode(STACKS, {}, grantsB())).to.equal("grants");
      expect(pairMode(STACKS, grantsA(), {})).to.equal("grants");
      expect(pairMode(STACKS, SINGLE_A, SINGLE_B)).to.equal("single-grant");
      expect(pairMode(STACKS, {}, {})).to.equal("single-grant");
    });
  });

  describe("account-b's grants output: every refusal names the output", () => {
    const B = grantsB().grants.value as Record<string, Entry>;
    // A bucket encrypted with another account's key, and the statement its owner must add (as BucketAccessGrant writes it).
    const KEY = "arn:aws:kms:eu-west-1:999988887777:key/reports";
    const OTHER_KEY = "arn:aws:kms:eu-west-1:999988887777:key/other";
    const STATEMENT = JSON.stringify({
      Sid: "CrossAccountIrsaDecrypt",
      Effect: "Allow",
      Action: "kms:Decrypt",
    });
    const withKms = (entry: Entry, statements: unknown): Entry => {
      const handoff = edited(entry.handoff as Entry, (h) => ((h.buckets as Entry[])[0].kmsKeyArn = KEY));
      return { ...entry, handoff, kmsKeyPolicyStatements: statements };
    };
    const refusals: Array<[string, unknown, RegExp]> = [
      [
        "a list",
        [B.reports],
        /^account-b output grants: .* is invalid: must be an object keyed by grant key/,
      ],
      [
        "a string",
        "reports",
        /^account-b output grants: "reports" is invalid: must be an object keyed by grant key/,
      ],
      ["no grant", {}, /^account-b output grants: \{\} is invalid: must name at least one grant/],
      [
        "a key that is no grant key",
        { Reports: B.reports },
        /has the key "Reports", which must be 1 to 32 lower-case/,
      ],
      ["a key of 33 characters", { ["a".repeat(33)]: B.reports }, /has the key "a{33}"/],
      [
        "an entry that is no object",
        { reports: "x" },
        /^account-b output grants\.reports: "x" is invalid: must be an object/,
      ],
      [
        "an unknown field",
        { reports: { ...B.reports, owner: "team-a" } },
        /^account-b output grants\.reports\.owner: "team-a" is invalid: is not a field this version reads \(handoff, probe, kmsKeyPolicyStatements\)/,
      ],
      [
        "no handoff",
        { reports: { probe: B.reports.probe } },
        /^account-b output grants\.reports\.handoff: undefined is invalid: is required/,
      ],
      [
        "a handoff of another version",
        { reports: { ...B.reports, handoff: { ...(B.reports.handoff as Entry), version: 2 } } },
        /^account-b output grants\.reports\.handoff\.version: 2 is invalid: must be 1/,
      ],
      [
        "a handoff with an unknown field",
        { reports: { ...B.reports, handoff: { ...(B.reports.handoff as Entry), region: "eu-west-1" } } },
        /^account-b output grants\.reports\.handoff\.region: "eu-west-1" is invalid: is not a field of it/,
      ],
      [
        "a probe with an unknown field",
        { reports: { ...B.reports, probe: { bucketName: "team-a-reports", objectKey: "k", region: "x" } } },
        /^account-b output grants\.reports\.probe\.region: "x" is invalid: is not a field this version reads/,
      ],
      [
        "a probe without its object key",
        { reports: { ...B.reports, probe: { bucketName: "team-a-reports" } } },
        /^account-b output grants\.reports\.probe\.objectKey: undefined is invalid: is required/,
      ],
      [
        "a probe bucket given as a number",
        { reports: { ...B.reports, probe: { bucketName: 5, objectKey: "k" } } },
        /^account-b output grants\.reports\.probe\.bucketName: 5 is invalid: must be a string/,
      ],
      [
        "a probe in a bucket the grant does not name",
        { reports: { ...B.reports, probe: { bucketName: "team-b-data", objectKey: "k" } } },
        /^account-b output grants\.reports\.probe\.bucketName: "team-b-data" is invalid: must be one of the grant's buckets \(team-a-reports\)/,
      ],
      [
        "KMS statements that are a list",
        { reports: { ...B.reports, kmsKeyPolicyStatements: [{ Effect: "Allow" }] } },
        /^account-b output grants\.reports\.kmsKeyPolicyStatements: .* is invalid: must be a non-empty object: by KMS key ARN/,
      ],
      [
        "no KMS statement",
        { reports: { ...B.reports, kmsKeyPolicyStatements: {} } },
        /^account-b output grants\.reports\.kmsKeyPolicyStatements: \{\} is invalid: must be a non-empty object/,
      ],
      [
        "a KMS statement keyed by an alias",
        { reports: withKms(B.reports, { "alias/reports": STATEMENT }) },
        /^account-b output grants\.reports\.kmsKeyPolicyStatements key: "alias\/reports" is invalid: must be a KMS key ARN/,
      ],
      [
        "a KMS statement for a key no bucket of the grant names",
        { reports: withKms(B.reports, { [OTHER_KEY]: STATEMENT }) },
        /kmsKeyPolicyStatements key: ".*key\/other" is invalid: must be the KMS key of one of the grant's buckets \(arn:aws:kms:eu-west-1:999988887777:key\/reports\)/,
      ],
      [
        "a KMS statement that is no JSON object",
        { reports: withKms(B.reports, { [KEY]: "Allow kms:Decrypt" }) },
        /kmsKeyPolicyStatements\["arn:aws:kms:eu-west-1:999988887777:key\/reports"\]: "Allow kms:Decrypt" is invalid: must be a key-policy statement as JSON text/,
      ],
      [
        "a KMS statement given as an object, not JSON text",
        { reports: withKms(B.reports, { [KEY]: { Effect: "Allow" } }) },
        /must be a key-policy statement as JSON text/,
      ],
    ];
    for (const [what, value, message] of refusals) {
      it(`refuses ${what}`, () => {
        expect(() => parseAccountBGrants("account-b", value)).to.throw(InputError, message);
      });
    }

    it("reads each grant's handoff and probe, in output order; KMS statements are checked and not read", () => {
      const grants = parseAccountBGrants("account-b", {
        ...B,
        reports: withKms(B.reports, { [KEY]: STATEMENT }),
      });
      expect(grants.map((g) => g.key)).to.deep.equal(["reports", "archive", "unused"]);
      expect(grants[0].handoff.mechanisms).to.deep.equal(["irsa", "pod-identity"]);
      expect(grants[0].probe).to.deep.equal({ bucketName: "team-a-reports", objectKey: "reports/check.txt" });
      const { probe: _p, ...noProbe } = B.archive;
      expect(parseAccountBGrants("account-b", { archive: noProbe })[0]).to.not.have.property("probe");
    });
  });

  describe("account-a's grants output: every refusal names the output", () => {
    const A = grantsA().grants.value as Record<string, Entry>;
    const entry = (edit: (e: Entry) => void) => ({ reports: edited(A.reports, edit) });
    const refusals: Array<[string, unknown, RegExp]> = [
      ["a list", [A.reports], /^account-a output grants: .* must be an object keyed by grant key/],
      [
        "an unknown field",
        entry((e) => (e.probe = true)),
        /^account-a output grants\.reports\.probe: true is invalid: is not a field this version reads \(mechanisms, roleArn, serviceAccount, podCredentialPath, accessCheck\)/,
      ],
      [
        "no mechanisms",
        entry((e) => delete e.mechanisms),
        /^account-a output grants\.reports\.mechanisms: undefined is invalid: is required/,
      ],
      [
        "one mechanism as a string",
        entry((e) => (e.mechanisms = "irsa")),
        /grants\.reports\.mechanisms: "irsa" is invalid: must be a list/,
      ],
      [
        "no mechanism listed",
        entry((e) => (e.mechanisms = [])),
        /grants\.reports\.mechanisms: \[\] is invalid: must list at least 1 item/,
      ],
      [
        "an unknown mechanism",
        entry((e) => (e.mechanisms = ["irsa", "kiam"])),
        /grants\.reports\.mechanisms\[1\]: "kiam" is invalid: must be "irsa"/,
      ],
      [
        "a mechanism twice",
        entry((e) => (e.mechanisms = ["irsa", "irsa"])),
        /grants\.reports\.mechanisms: .* must list each mechanism once/,
      ],
      [
        "irsa with irsa-chained (one annotation)",
        entry((e) => ((e.mechanisms = ["irsa", "irsa-chained"]), (e.podCredentialPath = "irsa"))),
        /grants\.reports\.mechanisms: .* must not list both "irsa" and "irsa-chained"/,
      ],
      [
        "a role ARN that is none",
        entry((e) => (e.roleArn = "reports-reader")),
        /^account-a output grants\.reports\.roleArn: "reports-reader" is invalid/,
      ],
      [
        "a ServiceAccount with another field",
        entry((e) => (e.serviceAccount = { namespace: "team-a", name: "r", uid: "1" })),
        /grants\.reports\.serviceAccount\.uid: "1" is invalid: is not a field this version reads/,
      ],
      [
        "a ServiceAccount name given as a number",
        entry((e) => (e.serviceAccount = { namespace: "team-a", name: 7 })),
        /grants\.reports\.serviceAccount\.name: 7 is invalid: must be a string/,
      ],
      [
        "a podCredentialPath the mechanisms do not give",
        entry((e) => (e.podCredentialPath = "pod-identity")),
        /^account-a output grants\.reports\.podCredentialPath: "pod-identity" is invalid: must be "irsa", the path pods take with mechanisms \["irsa","pod-identity"\]/,
      ],
      [
        "an access check without its Job",
        entry((e) => delete (e.accessCheck as Entry).jobName),
        /grants\.reports\.accessCheck\.jobName: undefined is invalid: is required/,
      ],
      [
        "an access check in another namespace",
        entry((e) => ((e.accessCheck as Entry).namespace = "team-b")),
        /grants\.reports\.accessCheck\.namespace: "team-b" is invalid: must be the ServiceAccount's namespace "team-a"/,
      ],
      [
        "an access check expecting another role",
        entry((e) => ((e.accessCheck as Entry).expectedRoleArn = roleOf("archive"))),
        /grants\.reports\.accessCheck\.expectedRoleArn: .* is invalid: must be the grant's role arn:aws:iam::444455556666:role\/reports-reader/,
      ],
    ];
    for (const [what, value, message] of refusals) {
      it(`refuses ${what}`, () => {
        expect(() => parseAccountAGrants("account-a", value)).to.throw(InputError, message);
      });
    }
  });
});
