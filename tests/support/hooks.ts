import { restoreStackTraces } from "../../engine/stackTraces";

/**
 * Mocha root hooks. A test that installs a MockEngine switches stack traces to V8's plain format
 * (fast under the Pulumi runtime); restore source-mapped ones before mocha reports a failure.
 */
export const mochaHooks = {
  afterEach(): void {
    restoreStackTraces();
  },
};
