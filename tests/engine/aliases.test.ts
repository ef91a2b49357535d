/**
 * engine/aliases.ts: alias URNs as the Pulumi engine computes them from a registration's alias specs
 * and its parent's aliases (the SDK's `allAliases` / `inheritedChildAlias`, @pulumi/pulumi
 * resource.js), checked against URNs written out by hand.
 */
import { expect } from "chai";
import { aliasUrns, urnName, urnOf, urnType, type AliasLike } from "../../engine/aliases";

const spec = (
  s: Partial<{ name: string; type: string; parentUrn: string; noParent: boolean }>,
): AliasLike => ({
  hasSpec: () => true,
  getSpec: () => ({
    getName: () => s.name ?? "",
    getType: () => s.type ?? "",
    getStack: () => "",
    getProject: () => "",
    getParenturn: () => s.parentUrn ?? "",
    getNoparent: () => s.noParent ?? false,
  }),
});
const urn = (u: string): AliasLike => ({ hasSpec: () => false, getUrn: () => u });

const BASE = "urn:pulumi:dev::proj::";
const BINDING = `${BASE}my:index:Binding::binding`;

describe("alias URNs (engine/aliases.ts)", () => {
  it("builds URNs with the parent's type chain", () => {
    expect(urnOf("dev", "proj", undefined, "a:b:C", "x")).to.equal(`${BASE}a:b:C::x`);
    expect(urnOf("dev", "proj", `${BASE}p:q:R$a:b:C::x`, "k:v:D", "y")).to.equal(
      `${BASE}p:q:R$a:b:C$k:v:D::y`,
    );
    expect(urnName(`${BASE}p:q:R$a:b:C::x`)).to.equal("x");
    expect(urnType(`${BASE}p:q:R$a:b:C::x`)).to.equal("a:b:C");
  });

  it("a resource at the stack's top level (its parent the Stack): no type chain, as Pulumi writes it", () => {
    const stackUrn = `${BASE}pulumi:pulumi:Stack::proj-dev`;
    expect(urnOf("dev", "proj", stackUrn, "a:b:C", "x")).to.equal(`${BASE}a:b:C::x`);
    // The SDK sends the resource's parent (the Stack) in an alias spec that names none.
    const top = {
      stack: "dev",
      project: "proj",
      type: "my:index:Grant",
      name: "irsa-role",
      parent: stackUrn,
    };
    expect(
      aliasUrns({ ...top, aliases: [spec({ type: "my:index:IrsaRole", parentUrn: stackUrn })] }),
    ).to.deep.equal([`${BASE}my:index:IrsaRole::irsa-role`]);
  });

  it("an own alias: its name at the top of the stack (noParent), under another parent, or a URN", () => {
    const r = { stack: "dev", project: "proj", type: "k:v:D", name: "binding-check", parent: BINDING };
    expect(aliasUrns({ ...r, aliases: [spec({ name: "check", noParent: true })] })).to.deep.equal([
      `${BASE}k:v:D::check`,
    ]);
    expect(
      aliasUrns({ ...r, aliases: [spec({ name: "check", parentUrn: `${BASE}old:index:Old::old` })] }),
    ).to.deep.equal([`${BASE}old:index:Old$k:v:D::check`]);
    // Unset fields are the resource's own (its parent included).
    expect(aliasUrns({ ...r, aliases: [spec({ name: "check" })] })).to.deep.equal([
      `${BASE}my:index:Binding$k:v:D::check`,
    ]);
    expect(aliasUrns({ ...r, aliases: [urn("urn:pulumi:dev::proj::k:v:D::x")] })).to.deep.equal([
      "urn:pulumi:dev::proj::k:v:D::x",
    ]);
  });

  it("inherits the parent's aliases: the parent's old name replaces its prefix of the child's name", () => {
    const parentAlias = `${BASE}k:v:D::check`;
    const child = {
      stack: "dev",
      project: "proj",
      type: "kubernetes:batch/v1:Job",
      parent: `${BASE}my:index:Binding$k:v:D::binding-check`,
      parentName: "binding-check",
      parentAliases: [parentAlias],
    };
    expect(aliasUrns({ ...child, name: "binding-check", aliases: [] })).to.deep.equal([
      `${BASE}k:v:D$kubernetes:batch/v1:Job::check`,
    ]);
    expect(aliasUrns({ ...child, name: "binding-check-job", aliases: [] })).to.deep.equal([
      `${BASE}k:v:D$kubernetes:batch/v1:Job::check-job`,
    ]);
    // A name the parent's does not prefix stays as it is.
    expect(aliasUrns({ ...child, name: "job", aliases: [] })).to.deep.equal([
      `${BASE}k:v:D$kubernetes:batch/v1:Job::job`,
    ]);
    // An own alias is inherited too.
    expect(
      aliasUrns({
        ...child,
        name: "binding-check",
        aliases: [spec({ type: "kubernetes:batch/v1beta1:Job" })],
      }),
    ).to.deep.equal([
      `${BASE}my:index:Binding$k:v:D$kubernetes:batch/v1beta1:Job::binding-check`,
      `${BASE}k:v:D$kubernetes:batch/v1:Job::check`,
      `${BASE}k:v:D$kubernetes:batch/v1beta1:Job::check`,
    ]);
  });
});
