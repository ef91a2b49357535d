import { expect } from "chai";
import { world } from "./support/hooks";
import { EXPLICIT, doctor } from "./support/run";

describe("npm run doctor against moto: the credentials it names are the ones it used", function () {
  this.timeout(60000);

  it("without --profile-a, a failing identity is the ambient credentials, not a --profile-a", async () => {
    await world().build();
    const i = EXPLICIT.indexOf("--profile-a");
    const base = [...EXPLICIT.slice(0, i), ...EXPLICIT.slice(i + 2), "--kubeconfig", world().kubeconfigFile];
    const r = await doctor([], { base });
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(
      /^doctor: credentials: the ambient credentials \(no --profile-a given\) cannot call sts:GetCallerIdentity: /,
    );
    expect((JSON.parse(r.stdout) as { error: { message: string } }).error.message).to.match(
      /^credentials: the ambient credentials \(no --profile-a given\)/,
    );
  });

  it("with --profile-a, the profile is named", async () => {
    await world().build();
    const i = EXPLICIT.indexOf("--profile-a");
    const base = [...EXPLICIT.slice(0, i), ...EXPLICIT.slice(i + 2), "--profile-a", "nobody"];
    const r = await doctor(["--kubeconfig", world().kubeconfigFile], { base });
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/^doctor: credentials: --profile-a nobody cannot call sts:GetCallerIdentity: /);
  });
});
