import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import { type AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { awsErrorText } from "../../doctor/aws";
import { runDoctor } from "../support/doctorRun";
import { KubeconfigError, kubeApi } from "../../doctor/kube";

const EXPLICIT = [
  ...[
    "--role-arn",
    "arn:aws:iam::444455556666:role/reader",
    "--cluster",
    "demo",
    "--cluster-region",
    "us-east-1",
  ],
  ...["--namespace", "apps", "--service-account", "reader", "--bucket", "team-data", "--key", "k"],
];

/** Runs main; any AWS call would fail the test (no endpoint, no credentials are reachable). */
async function run(argv: string[]) {
  const calls: string[] = [];
  return { ...(await runDoctor(argv, { record: (c) => calls.push(c) })), calls };
}

describe("doctor: bad input is one clear line and exit 2, and nothing hangs", () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "doctor-bad-input-"));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const kubeconfigCases: Array<[string, () => string, string]> = [
    [
      "/dev/zero (endless)",
      () => "/dev/zero",
      "the kubeconfig /dev/zero is a character device, not a kubeconfig file",
    ],
    [
      "a named pipe nobody writes to",
      () => {
        const fifo = path.join(dir, "fifo");
        if (!fs.existsSync(fifo)) execFileSync("mkfifo", [fifo]);
        return fifo;
      },
      "is a FIFO, not a kubeconfig file",
    ],
    [
      "an empty file",
      () => {
        const f = path.join(dir, "empty");
        fs.writeFileSync(f, "");
        return f;
      },
      "is empty",
    ],
    [
      "a YAML file that is not a mapping",
      () => {
        const f = path.join(dir, "comment");
        fs.writeFileSync(f, "# nothing here\n");
        return f;
      },
      "is not a kubeconfig (a YAML mapping with clusters, contexts and users)",
    ],
    ["a directory", () => dir, "is a directory, not a kubeconfig file"],
  ];
  for (const [name, file, words] of kubeconfigCases) {
    it(`--kubeconfig ${name}: exit 2 before any AWS call`, async () => {
      const r = await run([...EXPLICIT, "--kubeconfig", file()]);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.include(words);
      expect(r.stderr.trimEnd().split("\n")).to.have.length(1);
      expect(r.calls).to.deep.equal([]);
    });
  }

  it("KUBECONFIG naming a named pipe (the default loading): refused, not waited on", () => {
    const fifo = path.join(dir, "default-fifo");
    execFileSync("mkfifo", [fifo]);
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = fifo;
    try {
      expect(() => kubeApi({ record: () => undefined })).to.throw(
        KubeconfigError,
        `the kubeconfig ${fifo} is a FIFO, not a kubeconfig file`,
      );
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    }
  });

  it("a kubeconfig larger than any real one is refused, not read to the end", async () => {
    const f = path.join(dir, "large");
    fs.writeFileSync(f, Buffer.alloc(2 * 1024 * 1024, "#"));
    const r = await run([...EXPLICIT, "--kubeconfig", f]);
    expect([r.code, r.stderr]).to.deep.equal([
      2,
      `doctor: the kubeconfig ${f} is larger than 1048576 bytes: not a kubeconfig file\n`,
    ]);
  });

  for (const flag of ["--role-arn", "--source-role-arn"]) {
    for (const arn of ["arn:aws:iam::444455556666:role/*", "arn:aws:iam::444455556666:role/team/*/reader"]) {
      it(`${flag} ${arn}: refused as a pattern, not one role`, async () => {
        const argv =
          flag === "--role-arn"
            ? [...EXPLICIT.slice(2), "--role-arn", arn]
            : ["--mechanism", "pod-identity", ...EXPLICIT, "--source-role-arn", arn];
        const r = await run(argv);
        expect(r.code).to.equal(2);
        expect(r.stderr.split("\n")[0]).to.equal(
          `doctor: ${flag}: "${arn}" is invalid: must name one role: '*' and '?' are wildcards and '$' starts a ` +
            "policy variable in the policies the doctor reads, not characters of a role's name",
        );
      });
    }
  }

  it("with --json, a usage error prints one object { ok: false, error: { message, usage } } on stdout", async () => {
    const r = await run([...EXPLICIT, "--json", "--bogus"]);
    expect(r.code).to.equal(2);
    const out = JSON.parse(r.stdout) as { ok: boolean; error: { message: string; usage?: string } };
    expect(out.ok).to.equal(false);
    expect(out.error.message).to.match(/^Unknown option '--bogus'/);
    expect(out.error.usage).to.match(/^Usage: npm run doctor/);
    expect(Object.keys(out)).to.deep.equal(["ok", "error"]);
  });

  it("with --json, an input error found later (the kubeconfig) is one object too, without the usage", async () => {
    const r = await run([...EXPLICIT, "--json", "--kubeconfig", "/dev/zero"]);
    expect(r.code).to.equal(2);
    expect(JSON.parse(r.stdout)).to.deep.equal({
      ok: false,
      error: { message: "the kubeconfig /dev/zero is a character device, not a kubeconfig file" },
    });
  });

  it("with --json, --help prints one object with the usage", async () => {
    const r = await run(["--help", "--json"]);
    expect(r.code).to.equal(0);
    const out = JSON.parse(r.stdout) as { ok: boolean; usage: string };
    expect(out.ok).to.equal(true);
    expect(out.usage).to.match(/^Usage: npm run doctor/);
  });
});

describe("doctor: AWS errors without a body", () => {
  it("a HeadObject 403 (S3 sends no body for HEAD) says 403 Forbidden on HeadObject, not Unknown: UnknownError", async () => {
    // A loopback server answering as S3 does to a HEAD it refuses: the status, no body.
    const server = http.createServer((_req, res) => {
      res.writeHead(403, { "x-amz-request-id": "0000" });
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const s3 = new S3Client({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: "a", secretAccessKey: "b" },
    });
    try {
      const error = await s3.send(new HeadObjectCommand({ Bucket: "team-data", Key: "k" })).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(awsErrorText(error, "HeadObject")).to.equal("403 Forbidden on HeadObject");
      expect(awsErrorText(error)).to.equal("403 Forbidden");
    } finally {
      s3.destroy();
      server.close();
    }
  });
});
