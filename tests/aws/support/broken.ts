/**
 * The one-broken-link-at-a-time loop both mechanisms' tests share: build the chain with one change,
 * run the doctor, and require exit 1, the named check failing on its link with its detail and fix,
 * no other link failing, a valid `--json` report and only read calls.
 */
import { expect } from "chai";
import { world } from "./hooks";
import { READ_ONLY, READ_ONLY_REQUEST, failing, validate, type Run } from "./run";

/** One broken chain: what to change, and the failure it must give. */
export interface BrokenLink<C> {
  name: string;
  changes: C;
  link: string;
  check: RegExp;
  detail: RegExp;
  fix: RegExp;
}

/** An `it` per broken chain. */
export function itFailsOnlyTheBrokenLink<C>(
  broken: Array<BrokenLink<C>>,
  build: (changes: C) => Promise<unknown>,
  run: () => Promise<Run>,
): void {
  for (const b of broken) {
    it(`${b.name}: exits 1 naming link ${b.link} and a fix`, async () => {
      await build(b.changes);
      const r = await run();
      expect(r.code, r.stderr).to.equal(1);
      const hit = failing(r).find((l) => b.check.test(l.check));
      expect(hit, JSON.stringify(failing(r), null, 2)).to.not.equal(undefined);
      expect(hit!.link).to.equal(b.link);
      expect(hit!.detail).to.match(b.detail);
      expect(hit!.fix).to.match(b.fix);
      expect(new Set(failing(r).map((l) => l.link)), JSON.stringify(failing(r), null, 2)).to.deep.equal(
        new Set([b.link]),
      );
      expect(validate(JSON.parse(r.stdout)), JSON.stringify(validate.errors)).to.equal(true);
      expect(r.calls.filter((c) => !READ_ONLY.test(c))).to.deep.equal([]);
      // And as the stand-in in front of EKS, IAM and moto saw them, not only as the doctor logged them.
      expect(world().eks.requests.filter((q) => !READ_ONLY_REQUEST.test(q))).to.deep.equal([]);
    });
  }
}

/**
 * The permission link's breaks, the same for both mechanisms (the link ends in the same policy and
 * bucket): the role granted another bucket, and the object missing.
 */
export const PERMISSION_BREAKS: Array<BrokenLink<{ grantedBucket?: string; putObject?: boolean }>> = [
  {
    name: "permission on another bucket",
    changes: { grantedBucket: "other-bucket" },
    link: "permission",
    check: /may s3:GetObject s3:\/\/team-data\/reports\/q3\.csv/,
    detail: /no statement allows s3:GetObject .*other-bucket/,
    fix: /allow s3:GetObject on arn:aws:s3:::team-data\/reports\/q3\.csv/,
  },
  {
    name: "object missing",
    changes: { putObject: false },
    link: "permission",
    check: /object s3:\/\/team-data\/reports\/q3\.csv exists/,
    detail: /NotFound/,
    fix: /aws s3 cp/,
  },
];
