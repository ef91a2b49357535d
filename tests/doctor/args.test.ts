import { expect } from "chai";
import { USAGE, parseDoctorArgs } from "../../doctor/args";
import { type DoctorDeps } from "../../doctor/cli";
import { runDoctor } from "../support/doctorRun";

const EXPLICIT = [
  "--role-arn",
  "arn:aws:iam::444455556666:role/reader",
  "--cluster",
  "demo",
  "--namespace",
  "apps",
  "--service-account",
  "reader",
  "--bucket",
  "team-data",
  "--key",
  "reports/q3.csv",
];

/** Runs main with fakes that fail if anything outside the process is touched. */
function run(argv: string[], deps: Partial<DoctorDeps> = {}) {
  return runDoctor(argv, {
    workDir: "/nonexistent",
    cwd: "/",
    fs: {
      exists: () => false,
      readFile: () => {
        throw new Error("no files in this test");
      },
      writeFile: () => undefined,
      remove: () => undefined,
      makeTempDir: () => "/tmp/x",
      makeDirectory: () => undefined,
    },
    ...deps,
  });
}

describe("doctor: the command line", () => {
  it("reads the chain from the default stacks when no chain flag is given", () => {
    const parsed = parseDoctorArgs([]);
    expect(parsed).to.deep.equal({
      kind: "run",
      args: {
        source: { kind: "stacks", stacks: { a: "account-a", b: "account-b" } },
        profiles: {},
        cluster: { enabled: true },
        json: false,
        assume: false,
      },
    });
  });

  it("leaves the mechanism to the stacks without --mechanism: --source-role-arn and --assume are checked once it is known", () => {
    const SOURCE = "arn:aws:iam::111122223333:role/s";
    for (const argv of [["--source-role-arn", SOURCE], ["--assume"]]) {
      const parsed = parseDoctorArgs(argv);
      expect(parsed.kind, JSON.stringify(parsed)).to.equal("run");
      expect((parsed as { args: object }).args).to.not.have.property("mechanism");
    }
  });

  it("takes an explicit chain, profiles, cluster access and the output flags", () => {
    const parsed = parseDoctorArgs([
      ...EXPLICIT,
      "--cluster-region",
      "eu-west-1",
      "--profile-a",
      "a",
      "--profile-b",
      "b",
      "--kubeconfig",
      "kc",
      "--context",
      "ctx",
      "--json",
      "--assume",
    ]);
    expect(parsed.kind).to.equal("run");
    const args = (parsed as { args: unknown }).args;
    expect(args).to.deep.equal({
      mechanism: "irsa",
      source: {
        kind: "explicit",
        chain: {
          roleArn: "arn:aws:iam::444455556666:role/reader",
          clusterName: "demo",
          clusterRegion: "eu-west-1",
          namespace: "apps",
          serviceAccount: "reader",
          bucket: "team-data",
          key: "reports/q3.csv",
        },
      },
      profiles: { a: "a", b: "b" },
      cluster: { enabled: true, kubeconfig: "kc", context: "ctx" },
      json: true,
      assume: true,
    });
  });

  it("takes a Pod Identity chain: --role-arn is the target role, --source-role-arn the source role", () => {
    const SOURCE = "arn:aws:iam::111122223333:role/pod-source";
    const explicit = parseDoctorArgs([
      "--mechanism",
      "pod-identity",
      ...EXPLICIT,
      "--source-role-arn",
      SOURCE,
    ]);
    expect(explicit.kind).to.equal("run");
    const args = (explicit as { args: { mechanism: string; source: { chain: object } } }).args;
    expect(args.mechanism).to.equal("pod-identity");
    expect(args.source.chain).to.include({
      roleArn: "arn:aws:iam::444455556666:role/reader",
      sourceRoleArn: SOURCE,
    });
    expect(parseDoctorArgs(["--mechanism", "pod-identity", "--source-role-arn", SOURCE])).to.deep.include({
      kind: "run",
    });
    const stacks = parseDoctorArgs(["--mechanism", "pod-identity", "--source-role-arn", SOURCE]);
    expect((stacks as { args: { source: object } }).args.source).to.deep.equal({
      kind: "stacks",
      stacks: { a: "account-a", b: "account-b" },
      sourceRoleArn: SOURCE,
    });
  });

  for (const [argv, message] of [
    [
      ["--role-arn", "arn:aws:iam::444455556666:role/reader"],
      /missing --cluster, --namespace, --service-account, --bucket, --key$/,
    ],
    [[...EXPLICIT, "--stack-a", "x"], /use one or the other/],
    [[...EXPLICIT.slice(0, 1), "not-an-arn", ...EXPLICIT.slice(2)], /^--role-arn: "not-an-arn" is invalid/],
    [[...EXPLICIT.slice(0, 5), "Apps", ...EXPLICIT.slice(6)], /^--namespace: "Apps" is invalid/],
    [["--mechanism", "kiam"], /--mechanism: "kiam" is not one of irsa, pod-identity, irsa-chained/],
    [["--no-cluster", "--assume"], /--assume needs the cluster/],
    [["--mechanism", "pod-identity", "--assume"], /^--assume is not available with --mechanism pod-identity/],
    [[...EXPLICIT, "--source-role-arn", "arn:aws:iam::111122223333:role/s"], /add --mechanism pod-identity$/],
    [
      ["--mechanism", "pod-identity", ...EXPLICIT, "--source-role-arn", "nope"],
      /^--source-role-arn: "nope" is invalid/,
    ],
    [["--no-cluster", "--context", "x"], /drop --kubeconfig and --context/],
    [["--stack-a", "same", "--stack-b", "same"], /both "same"/],
    [["--cluster-region", "mars-1"], /^--cluster-region: "mars-1" is invalid/],
    [["--frobnicate"], /Unknown option '--frobnicate'/],
    [["extra"], /Unexpected argument 'extra'/],
  ] as Array<[string[], RegExp]>) {
    it(`refuses ${argv.join(" ")}`, () => {
      const parsed = parseDoctorArgs(argv);
      expect(parsed.kind).to.equal("error");
      expect((parsed as { message: string }).message).to.match(message);
    });
  }

  it("prints the usage on --help and exits 0", async () => {
    const r = await run(["--help"]);
    expect([r.code, r.stdout, r.stderr]).to.deep.equal([0, `${USAGE}\n`, ""]);
  });

  it("exits 2 on a usage error, with the message and the usage on stderr and nothing on stdout", async () => {
    const r = await run(["--mechanism", "kiam"]);
    expect(r.code).to.equal(2);
    expect(r.stdout).to.equal("");
    expect(r.stderr).to.match(
      /^doctor: --mechanism: "kiam" is not one of irsa, pod-identity, irsa-chained\n\nUsage: npm run doctor/,
    );
  });

  it("exits 2 for --assume with --mechanism pod-identity, saying why, before reading anything", async () => {
    const r = await run(["--mechanism", "pod-identity", ...EXPLICIT, "--assume"]);
    expect(r.code).to.equal(2);
    expect(r.stdout).to.equal("");
    expect(r.stderr).to.match(
      /^doctor: --assume is not available with --mechanism pod-identity: pods get their credentials from the EKS Pod Identity Agent, through the EKS Auth API's AssumeRoleForPodIdentity/,
    );
    expect(r.stderr).to.include("npm run verify");
  });

  it("exits 2 when the stacks cannot be read without the Pulumi CLI, naming the explicit flags", async () => {
    const r = await run([], {
      run: () => Promise.reject(Object.assign(new Error("pulumi: command not found"), { code: "ENOENT" })),
    });
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/Pulumi CLI/);
    expect(r.stderr).to.match(/name the chain with --role-arn, --cluster, --cluster-region, --namespace/);
  });
});
