/**
 * The mock engine as the component tests install it (not a test file): account `account` pinned by
 * `aws:allowedAccountIds`, region eu-west-1, and the names of what a component registered.
 */
import { MockEngine } from "../../engine/mockEngine";

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
