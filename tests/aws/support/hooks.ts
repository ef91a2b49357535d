/**
 * Root hooks of the live-AWS suite: the test world (moto and the loopback stand-ins) is started once
 * for the whole run and stopped at the end; tests reach it with {@link world}.
 */
import { startWorld, type World } from "./world";

let current: World | undefined;

/** The running world (started by the root hook). */
export function world(): World {
  if (!current) throw new Error("the test world is not running");
  return current;
}

export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    this.timeout(90000);
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
    current = await startWorld();
  },
  async afterAll(): Promise<void> {
    await current?.stop();
    current = undefined;
  },
};
