/**
 * A grant without a probe object is judged on every link but the object read (withoutObjectRead):
 * the permission link becomes one `skip` naming why, in its place; every other result stands.
 */
import { expect } from "chai";
import { type ChainCheckResult, type LinkId } from "../../chain";
import { withoutObjectRead } from "../../doctor/grants";

const r = (link: LinkId, check: string, status: ChainCheckResult["status"]): ChainCheckResult => ({
  link,
  check,
  status,
  detail: "d",
  mechanism: "irsa",
});

describe("doctor: a grant without a probe object, judged without the object read", () => {
  const results = [
    r("trust-policy", "trusts the ServiceAccount", "fail"),
    r("permission", "the role may s3:GetObject", "pass"),
    r("permission", "object exists", "fail"),
    r("service-account", "annotated", "pass"),
  ];

  it("the permission link is one skip naming why, in its place; the trust's failure still fails", () => {
    expect(withoutObjectRead(results, "no probe object for grant archive")).to.deep.equal([
      results[0],
      {
        link: "permission",
        check: "the role may read the object the access check reads",
        status: "skip",
        detail: "no probe object for grant archive",
        mechanism: "irsa",
      },
      results[3],
    ]);
  });

  it("with an object: unchanged", () => {
    expect(withoutObjectRead(results, undefined)).to.equal(results);
  });
});
