import { expect } from "chai";
import { InputError } from "../../components/errors";
import { StackModeError } from "../../stacks/grantsMode";
import { parseAccountAGrants } from "../../stacks/grantsOutputs";
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
import { type Entry, SINGLE_A, SINGLE_B, edited } from "./grantsFixtures";

describe("doctor and verify: the stacks' grants mode, read from their outputs", () => {
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
