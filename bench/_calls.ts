import { startWorld } from "/work/wt/speed/tests/aws/support/world";
import { PI_EXPLICIT } from "/work/wt/speed/tests/aws/support/run";
import { spawnSync } from "node:child_process";
void (async () => {
  const w = await startWorld();
  try {
    await w.buildPodIdentity();
    const { main, defaultDeps } = await import("/work/wt/speed/doctor/cli");
    const calls: string[] = [];
    const code = await main([...PI_EXPLICIT, "--kubeconfig", w.kubeconfigFile, "--json"], {
      ...defaultDeps(),
      stdout: () => undefined,
      record: (c) => calls.push(c),
    });
    console.log(code, calls);
    const t = Date.now();
    const r = spawnSync(
      process.execPath,
      [
        "-r",
        "./scripts/tsCache.js",
        "doctor/cli.ts",
        ...PI_EXPLICIT,
        "--kubeconfig",
        w.kubeconfigFile,
        "--json",
      ],
      { encoding: "utf8" },
    );
    console.log(r.status, Date.now() - t, r.stderr.slice(0, 500));
  } finally {
    await w.stop();
  }
})();
