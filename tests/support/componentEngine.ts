/**
 * The mock engine as the component tests install it (not a test file): account `account` pinned by
 * `aws:allowedAccountIds`, region eu-west-1; the names of what a component registered, and its children.
 */
import { expect } from "chai";
import { MockEngine, type RecordedResource } from "../../engine/mockEngine";

/** A mock engine installed for a component test in `account` (eu-west-1). */
export async function engineIn(account: string): Promise<MockEngine> {
  const engine = new MockEngine({
    config: { "aws:region": "eu-west-1", "aws:allowedAccountIds": `["${account}"]` },
  });
  await engine.install();
  return engine;
}

/** What the engine recorded, Pulumi's own resources (stack, providers) left out, as `type::name`. */
export const names = (engine: MockEngine): string[] =>
  engine.resources.filter((r) => !r.type.startsWith("pulumi:")).map((r) => `${r.type}::${r.name}`);

/** A component's type token: `cross-account-irsa:index:<cls>`. */
export const token = (cls: string): string => `cross-account-irsa:index:${cls}`;

/**
 * The one component of class `cls` (a top-level ComponentResource named `name`) and the resources it
 * registered: checks that every one of them is its child, and returns them in registration order.
 */
export function childrenOf(engine: MockEngine, cls: string, name: string): RecordedResource[] {
  const component = engine.one(token(cls), name);
  expect(component.custom, "a ComponentResource").to.equal(false);
  expect(component.parent, "a top-level component (no Stack resource under mocks)").to.equal(undefined);
  const children = engine.resources.filter((r) => r !== component && !r.type.startsWith("pulumi:"));
  for (const child of children) {
    expect(child.parent, `${child.type} ${child.name} is a child of ${cls}`).to.equal(component.urn);
  }
  return children;
}
