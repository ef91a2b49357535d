/**
 * Mocha global fixture of the package tests (.mocharc.package.json): packs the tarball once, in mocha's
 * main process, before the test files start in their worker processes, which inherit where it is (see
 * packed.ts). The schema analyzer and the scratch program's tsc then run side by side.
 */
import { packed } from "./packed";

export async function mochaGlobalSetup(): Promise<void> {
  await packed();
}
