import { expect } from "chai";
import * as aws from "../../doctor/aws";
import { runDoctor } from "../support/doctorRun";
import { plain, stacksWorkspace } from "../support/stacksWorkspace";

const EXPLICIT = [
  ...["--role-arn", "arn:aws:iam::444455556666:role/reader", "--cluster", "demo"],
  ...["--namespace", "apps", "--service-account", "reader", "--bucket", "team-data", "--key", "k"],
];

describe("doctor: the command's AWS clients", () => {
  const original = aws.accountClients;
  afterEach(() => {
    (aws as { accountClients: typeof original }).accountClients = original;
  });

  it("destroys account A's clients when account B's cannot be made", async () => {
    let destroyed = 0;
    let made = 0;
    (aws as { accountClients: typeof original }).accountClients = () => {
      made += 1;
      if (made === 2) return Promise.reject(new Error("cannot make account B's clients"));
      return Promise.resolve({ destroy: () => (destroyed += 1) } as unknown as aws.AccountClients);
    };
    const { code, stderr } = await runDoctor([...EXPLICIT, "--no-cluster"]);
    expect([code, stderr]).to.deep.equal([1, "doctor: could not finish: cannot make account B's clients\n"]);
    expect(destroyed).to.equal(1);
  });

  it("with --json, a run that could not finish prints one object { ok: false, error } on stdout (exit 1)", async () => {
    (aws as { accountClients: typeof original }).accountClients = () =>
      Promise.reject(new Error("cannot make account A's clients"));
    const { code, stdout } = await runDoctor([...EXPLICIT, "--no-cluster", "--json"]);
    expect(code).to.equal(1);
    expect(JSON.parse(stdout)).to.deep.equal({
      ok: false,
      error: { message: "could not finish: cannot make account A's clients" },
    });
  });
});

describe("doctor: the stacks' mechanism output", () => {
  it("refuses one this version does not know: exit 2, one line naming the output, the value and the rule", async () => {
    const outputs = {
      "account-a": {
        clusterName: plain("demo"),
        serviceAccount: plain({ namespace: "apps", name: "reader" }),
        mechanism: plain("kiam"),
      },
      "account-b": {
        roleArn: plain("arn:aws:iam::444455556666:role/reader"),
        bucketName: plain("team-data"),
        objectKey: plain("k"),
      },
    };
    let accountClients = 0;
    const original = aws.accountClients;
    (aws as { accountClients: typeof original }).accountClients = () => {
      accountClients += 1;
      return Promise.reject(new Error("no AWS call expected"));
    };
    try {
      const { code, stderr } = await runDoctor(["--no-cluster"], {
        run: () => Promise.resolve({ code: 0, stdout: "v3.200.0\n", stderr: "" }),
        createWorkspace: () => Promise.resolve(stacksWorkspace(outputs, "eu-west-1")),
      });
      expect([code, stderr]).to.deep.equal([
        2,
        'doctor: account-a output mechanism: "kiam" is invalid: must be "irsa", "pod-identity" or "irsa-chained"\n',
      ]);
      expect(accountClients).to.equal(0);
    } finally {
      (aws as { accountClients: typeof original }).accountClients = original;
    }
  });
});
