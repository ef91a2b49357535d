import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { KubeconfigError, kubeApi } from "../../doctor/kube";

/** A kubeconfig whose user has a token, with a bad indentation two lines below it. */
const MALFORMED = [
  "apiVersion: v1",
  "kind: Config",
  "users:",
  "- name: admin",
  "  user:",
  "    token: s3cr3t-bearer-token",
  "   client-key-data: c2VjcmV0LWtleQ==",
  "",
].join("\n");

function loadError(settings: Parameters<typeof kubeApi>[0]): KubeconfigError {
  try {
    kubeApi(settings);
  } catch (error) {
    expect(error).to.be.instanceOf(KubeconfigError);
    return error as KubeconfigError;
  }
  throw new Error("kubeApi did not throw");
}

describe("doctor: a kubeconfig that cannot be read", () => {
  it("account-a's kubeconfig output: names it, says why and where, and never prints its content", () => {
    const error = loadError({ content: MALFORMED, record: () => undefined });
    expect(error.message).to.equal(
      "cannot read the kubeconfig account-a's kubeconfig output: bad indentation of a mapping entry at line 7",
    );
    expect(error.message).to.not.include("s3cr3t");
    expect(error.message).to.not.include("c2VjcmV0");
  });

  it("a --kubeconfig file: names the file, and never prints its content", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "doctor-kube-"));
    try {
      const file = path.join(dir, "kubeconfig");
      fs.writeFileSync(file, MALFORMED);
      const error = loadError({ file, record: () => undefined });
      expect(error.message).to.equal(
        `cannot read the kubeconfig ${file}: bad indentation of a mapping entry at line 7`,
      );
      expect(error.message).to.not.include("s3cr3t");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a file that does not exist: says so", () => {
    const error = loadError({ file: "/nonexistent/kubeconfig", record: () => undefined });
    expect(error.message).to.equal("cannot read the kubeconfig /nonexistent/kubeconfig: no such file");
  });
});
