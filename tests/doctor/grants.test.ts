import { expect } from "chai";
import { InputError } from "../../components/errors";
import { outputValues, type StackOutputs } from "../../cli/shared/workspace";
import { StackModeError, exportedMode, pairMode as pairModeOfValues } from "../../stacks/grantsMode";
import { parseAccountAGrants, parseAccountBGrants } from "../../stacks/grantsOutputs";
import { parseDoctorArgs } from "../../doctor/args";
import { grantsFromStacks, readStackSource } from "../../doctor/grants";
import { StackInputError, chainFromStacks } from "../../doctor/inputs";
import { plain, stacksWorkspace } from "../support/stacksWorkspace";
import {
  ACCOUNT_A,
  STACKS,
  aGrant,
  bGrant,
  grantsA,
  grantsB,
  handoffOf,
  roleOf,
  sourceRoleOf,
} from "../support/grantOutputs";

const SINGLE_A: StackOutputs = {
  clusterName: plain("demo"),
  serviceAccount: plain({ namespace: "apps", name: "reader" }),
};
const SINGLE_B: StackOutputs = {
  roleArn: plain("arn:aws:iam::444455556666:role/reader"),
  bucketName: plain("team-data"),
  objectKey: plain("irsa-check.txt"),
};

/** A deep copy with `edit` applied. */
function edited<T>(value: T, edit: (copy: T) => void): T {
  const copy = structuredClone(value);
  edit(copy);
  return copy;
}

type Entry = Record<string, unknown>;

/** A stack's mode as the doctor and verify read it (no outputs: not deployed). */
const stackMode = (stack: string, outputs: StackOutputs) =>
  exportedMode(stack, outputValues(outputs), Object.keys(outputs).length > 0);
const pairMode = (stacks: typeof STACKS, a: StackOutputs, b: StackOutputs) =>
  pairModeOfValues(stacks, outputValues(a), outputValues(b));

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

  describe("the chains of the grants (grantsFromStacks)", () => {
    it("one chain per mechanism account-a's binding set up, named from account-b's handoff and account-a's outputs", () => {
      const { grants, unbound, noProbe, kubeconfig } = grantsFromStacks(
        STACKS,
        grantsA(),
        grantsB(),
        "eu-west-1",
      );
      expect(grants.map((g) => [g.key, g.podCredentialPath, g.chains.map((c) => c.mechanism)])).to.deep.equal(
        [
          ["reports", "irsa", ["irsa", "pod-identity"]],
          ["archive", "irsa", ["irsa"]],
        ],
      );
      const common = {
        roleArn: roleOf("reports"),
        clusterName: "demo",
        clusterRegion: "eu-west-1",
        bucketRegion: "eu-west-1",
        kubeconfig: '{"apiVersion":"v1","kind":"Config"}',
        namespace: "team-a",
        serviceAccount: "reports-reader",
        bucket: "team-a-reports",
        key: "reports/check.txt",
      };
      expect(grants[0].chains[0].chain).to.deep.equal({ ...common, mechanism: "irsa" });
      // Pod Identity's association must name the source role the grant trusts.
      expect(grants[0].chains[1].chain).to.deep.equal({
        ...common,
        mechanism: "pod-identity",
        sourceRoleArn: sourceRoleOf("reports"),
      });
      expect(unbound).to.deep.equal(["unused"]);
      expect(noProbe).to.deep.equal([]);
      expect(kubeconfig).to.equal(common.kubeconfig);
    });

    it("irsa-chained's chain names the chained source role of the handoff", () => {
      const chainedSource = `arn:aws:iam::${ACCOUNT_A}:role/vault-chained-source`;
      const handoff = edited(handoffOf("vault", ["irsa-chained"]), (h) => {
        (h.clusters as Entry[])[0].chainedSourceRoleArn = chainedSource;
      });
      const b = grantsB({ vault: { ...bGrant("vault", ["irsa-chained"]), handoff } });
      const a = grantsA({ vault: aGrant("vault", ["irsa-chained"], "irsa-chained") });
      const [grant] = grantsFromStacks(STACKS, a, b, undefined).grants;
      expect(grant.chains.map((c) => [c.mechanism, c.chain.sourceRoleArn])).to.deep.equal([
        ["irsa-chained", chainedSource],
      ]);
    });

    describe("--grant selects one", () => {
      it("only that grant is judged", () => {
        const { grants } = grantsFromStacks(STACKS, grantsA(), grantsB(), undefined, "archive");
        expect(grants.map((g) => g.key)).to.deep.equal(["archive"]);
      });

      it("an unknown key is refused, listing the keys account-a binds", () => {
        expect(() => grantsFromStacks(STACKS, grantsA(), grantsB(), undefined, "nope")).to.throw(
          InputError,
          /^--grant: "nope" is invalid: is not a grant the stacks bind: one of reports, archive$/,
        );
      });

      it("a grant of account-b that account-a does not bind is refused saying so", () => {
        expect(() => grantsFromStacks(STACKS, grantsA(), grantsB(), undefined, "unused")).to.throw(
          InputError,
          /"unused" is invalid: is not a grant the stacks bind \(account-b grants it, account-a does not bind it\)/,
        );
      });

      // Judged on every link but the object read (the trust and policy links need no object), selected
      // or not: the object read is skipped naming why (withoutObjectRead), nothing of the bucket is read.
      it("a grant without a probe object is judged without the object read, said in noProbe; selected too", () => {
        const b = grantsB({
          reports: bGrant("reports", ["irsa", "pod-identity"]),
          archive: { handoff: handoffOf("archive", ["irsa"]) },
        });
        const all = grantsFromStacks(STACKS, grantsA(), b, undefined);
        expect([all.grants.map((g) => g.key), all.noProbe]).to.deep.equal([
          ["reports", "archive"],
          ["archive"],
        ]);
        const archive = all.grants[1].chains[0].chain;
        expect([archive.bucket, archive.key, archive.noObject]).to.deep.equal([
          "team-a-archive",
          "",
          "account-b exports no probe object for grant archive (account-b output grants.archive.probe), so the object " +
            "read is not judged: set objectKey on one of the grant's buckets in account-b's cross-account-irsa:grants and deploy",
        ]);
        expect(all.grants[0].chains.every((c) => c.chain.noObject === undefined)).to.equal(true);
        expect(grantsFromStacks(STACKS, grantsA(), b, undefined, "reports").noProbe).to.deep.equal([]);
        const selected = grantsFromStacks(STACKS, grantsA(), b, undefined, "archive");
        expect([selected.grants.map((g) => g.key), selected.noProbe]).to.deep.equal([
          ["archive"],
          ["archive"],
        ]);
        // A grant without a probe is still read strictly: what the stacks say of it must agree.
        const stale = grantsA({
          reports: aGrant("reports", ["irsa", "pod-identity"], "irsa"),
          archive: { ...aGrant("archive", ["irsa"], "irsa"), roleArn: roleOf("old") },
        });
        ((stale.grants.value as Record<string, Entry>).archive.accessCheck as Entry).expectedRoleArn =
          roleOf("old");
        expect(() => grantsFromStacks(STACKS, stale, b, undefined)).to.throw(
          InputError,
          /grants\.archive\.roleArn/,
        );
      });
    });

    describe("what the two stacks say of a grant must agree", () => {
      const A = grantsA().grants.value as Record<string, Entry>;
      const B = grantsB().grants.value as Record<string, Entry>;
      it("a grant account-a binds and account-b does not export", () => {
        const a = grantsA({ ...A, gone: aGrant("gone", ["irsa"], "irsa") });
        expect(() => grantsFromStacks(STACKS, a, grantsB(), undefined)).to.throw(
          InputError,
          /^account-a output grants\.gone: "gone" is invalid: is not a grant of account-b \(its grants: reports, archive, unused\)/,
        );
      });

      it("account-a's role is not the handoff's (account-b replaced it since)", () => {
        const a = grantsA({ ...A, archive: edited(A.archive, (e) => (e.roleArn = roleOf("old"))) });
        // The access check expects the same role: the output is consistent with itself.
        ((a.grants.value as Record<string, Entry>).archive.accessCheck as Entry).expectedRoleArn =
          roleOf("old");
        expect(() => grantsFromStacks(STACKS, a, grantsB(), undefined)).to.throw(
          InputError,
          /^account-a output grants\.archive\.roleArn: .*old-reader" is invalid: must be the grant's role .*archive-reader \(account-b output grants\.archive\.handoff\.roleArn\)/,
        );
      });

      it("a mechanism the grant does not trust", () => {
        const a = grantsA({ ...A, archive: aGrant("archive", ["irsa", "pod-identity"], "irsa") });
        expect(() => grantsFromStacks(STACKS, a, grantsB(), undefined)).to.throw(
          InputError,
          /^account-a output grants\.archive\.mechanisms: .* must list only mechanisms the grant trusts \(account-b output grants\.archive\.handoff\.mechanisms: irsa\)/,
        );
      });

      it("a ServiceAccount the grant does not trust", () => {
        const a = grantsA({
          ...A,
          archive: edited(A.archive, (e) => (e.serviceAccount = { namespace: "team-a", name: "someone" })),
        });
        expect(() => grantsFromStacks(STACKS, a, grantsB(), undefined)).to.throw(
          InputError,
          /grants\.archive\.serviceAccount: .* must be a ServiceAccount the grant trusts \(.*: team-a\/archive-reader\)/,
        );
      });

      it("a handoff without the stacks' cluster key", () => {
        const handoff = edited(B.archive.handoff as Entry, (h) => ((h.clusters as Entry[])[0].key = "prod"));
        const b = grantsB({ ...B, archive: { ...B.archive, handoff } });
        expect(() => grantsFromStacks(STACKS, grantsA(), b, undefined)).to.throw(
          InputError,
          /^account-b output grants\.archive\.handoff\.clusters: \["prod"\] is invalid: must have a cluster keyed "cluster"/,
        );
      });

      it("account-a deployed before account-b had outputs (grants: {}): said with what to run", () => {
        expect(parseAccountAGrants("account-a", {})).to.deep.equal([]);
        expect(() => grantsFromStacks(STACKS, grantsA({}), grantsB(), undefined)).to.throw(
          StackInputError,
          /^stack account-a binds no grant yet \(its grants output is empty: it was deployed before account-b had outputs\): deploy the stacks/,
        );
      });

      it("missing outputs: said with what to run", () => {
        const { grants: _g, ...b } = grantsB();
        expect(() => grantsFromStacks(STACKS, grantsA(), b, undefined)).to.throw(
          StackInputError,
          /^stack account-b has no grants output: deploy the stacks/,
        );
        const { grants: _h, ...a } = grantsA();
        expect(() => grantsFromStacks(STACKS, a, grantsB(), undefined)).to.throw(
          StackInputError,
          /^stack account-a has no grants output \(it binds its grants once account-b has outputs\)/,
        );
        const { clusterName: _c, ...noCluster } = grantsA();
        expect(() => grantsFromStacks(STACKS, noCluster, grantsB(), undefined)).to.throw(
          StackInputError,
          /^stack account-a has no clusterName output/,
        );
        expect(() =>
          grantsFromStacks(STACKS, grantsA(), { ...grantsB(), region: plain(3) }, undefined),
        ).to.throw(InputError, /^account-b output region: 3 is invalid/);
      });
    });
  });

  describe("readStackSource: the mode decides", () => {
    it("single-grant stacks give the chain chainFromStacks gives, and refuse --grant", async () => {
      const ws = stacksWorkspace({ "account-a": SINGLE_A, "account-b": SINGLE_B }, "eu-west-1");
      expect(await readStackSource(ws, STACKS, undefined, undefined)).to.deep.equal({
        mode: "single-grant",
        chain: chainFromStacks(STACKS, SINGLE_A, SINGLE_B, "eu-west-1"),
      });
      await readStackSource(ws, STACKS, undefined, "reports").then(
        () => expect.fail("resolved"),
        (e: Error) =>
          expect(e.message).to.match(
            /^--grant: "reports" is invalid: selects a grant of stacks in grants mode: account-a and account-b are single-grant stacks/,
          ),
      );
    });

    it("stacks in grants mode give their grants; stacks of two modes are refused", async () => {
      const ws = stacksWorkspace({ "account-a": grantsA(), "account-b": grantsB() }, "eu-west-1");
      const source = await readStackSource(ws, STACKS, undefined, undefined);
      expect(source.mode === "grants" && source.grants.grants.map((g) => g.key)).to.deep.equal([
        "reports",
        "archive",
      ]);
      const mixed = stacksWorkspace({ "account-a": grantsA(), "account-b": SINGLE_B });
      await readStackSource(mixed, STACKS, undefined, undefined).then(
        () => expect.fail("resolved"),
        (e: Error) => expect(e).to.be.instanceOf(StackModeError),
      );
    });
  });

  describe("--grant on the command line", () => {
    it("is read with the stacks, refused with an explicit chain, and must be a grant key", () => {
      const parsed = parseDoctorArgs(["--grant", "reports"]);
      expect(
        parsed.kind === "run" && parsed.args.source.kind === "stacks" && parsed.args.source.grant,
      ).to.equal("reports");
      expect(parseDoctorArgs(["--grant", "Reports"])).to.deep.equal({
        kind: "error",
        message:
          "--grant: \"Reports\" is not a grant key: it must be 1 to 32 lower-case letters, digits or '-', starting and ending with a letter or digit",
      });
      const explicit = [
        "--role-arn",
        roleOf("x"),
        "--cluster",
        "demo",
        "--namespace",
        "a",
        "--service-account",
        "b",
      ];
      expect(
        parseDoctorArgs([...explicit, "--bucket", "team-a-x", "--key", "k", "--grant", "x"]),
      ).to.deep.equal({
        kind: "error",
        message:
          "--grant selects a grant of the stacks; --role-arn names it explicitly: use one or the other",
      });
    });
  });
});
