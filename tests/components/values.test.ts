import { expect } from "chai";
import { isRecord } from "../../components/values";

describe("components/values: the one plain-object check", () => {
  it("is true for objects only: not null, arrays, strings or numbers", () => {
    for (const yes of [{}, { a: 1 }, Object.create(null) as object]) expect(isRecord(yes)).to.equal(true);
    for (const no of [null, undefined, [], [1], "x", 1, true])
      expect(isRecord(no), String(no)).to.equal(false);
  });
});
