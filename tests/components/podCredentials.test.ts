/**
 * The workloads' mechanism-neutral pod wiring (`podCredentials`): appended to the pod as given,
 * refused when it would shadow the workload's own settings or be writable, and required by IRSA with
 * role chaining (whose pods could not chain without the SDK config file).
 */
import { expect } from "chai";
import {
  buildAccessCheckPodSpec,
  buildAccessCheckScript,
  resolveAccessCheckSettings,
} from "../../components/accessCheckJob";
import { chainedPodWiring } from "../../components/chainedWiring";
import { validatePodCredentials } from "../../components/podCredentials";
import { buildS3ReaderPodSpec, resolveS3ReaderSettings } from "../../components/s3ReaderDeployment";
import { expectInputError } from "./coreHelpers";

const SOURCE = "arn:aws:iam::111122223333:role/chained-source";
const TARGET = "arn:aws:iam::444455556666:role/chained-target";
const wiring = chainedPodWiring({
  sourceRoleArn: SOURCE,
  configMapName: "aws-config",
  profileName: "chained",
});
const podCredentials = { env: wiring.env, volumes: wiring.volumes, volumeMounts: wiring.volumeMounts };
const base = {
  namespace: "team-a",
  serviceAccountName: "s3-reader",
  bucketName: "reports-b",
  objectKey: "reports/x.txt",
};

describe("workloads' podCredentials", () => {
  it("the access check and the reader append the wiring's env, volume and read-only mount", () => {
    const job = buildAccessCheckPodSpec(
      resolveAccessCheckSettings({
        ...base,
        expectedRoleArn: TARGET,
        mechanism: "irsa-chained",
        podCredentials,
      }),
    );
    const reader = buildS3ReaderPodSpec(
      resolveS3ReaderSettings({ ...base, roleArn: TARGET, mechanism: "irsa-chained", podCredentials }),
    );
    for (const spec of [job, reader]) {
      const c = (spec.containers as Array<{ env: unknown[]; volumeMounts: unknown[] }>)[0];
      expect(c.env).to.deep.include({ name: "AWS_PROFILE", value: "chained" });
      expect(c.env).to.deep.include({ name: "AWS_CONFIG_FILE", value: "/etc/cross-account-irsa/aws/config" });
      expect(c.volumeMounts).to.deep.include({
        name: "aws-chained-config",
        mountPath: "/etc/cross-account-irsa/aws",
        readOnly: true,
      });
      expect(spec.volumes).to.deep.include(wiring.volumes[0]);
    }
    // The script checks the chain's parts at admission.
    expect(buildAccessCheckScript({ mechanism: "irsa-chained" })).to.include("AWS_CONFIG_FILE:-/nonexistent");
  });

  it("irsa-chained without the wiring is refused, naming the arg", () => {
    expectInputError(
      () => resolveAccessCheckSettings({ ...base, expectedRoleArn: TARGET, mechanism: "irsa-chained" }),
      "args.podCredentials",
      undefined,
      /is required with mechanism "irsa-chained"/,
    );
  });

  it("refuses a writable mount, a mount of no volume, and env the workload sets itself", () => {
    expectInputError(
      () =>
        validatePodCredentials("w", {
          ...podCredentials,
          volumeMounts: [{ ...wiring.volumeMounts[0], readOnly: false }],
        }),
      "w.volumeMounts[0].readOnly",
      false,
      /read-only/,
    );
    expectInputError(
      () => validatePodCredentials("w", { volumeMounts: [{ name: "x", mountPath: "/x", readOnly: true }] }),
      "w.volumeMounts[0].name",
      "x",
      /one of the wiring's volumes/,
    );
    expectInputError(
      () => validatePodCredentials("w", { env: [{ name: "EXPECTED_ROLE_ARN", value: SOURCE }] }),
      "w.env[0].name",
      "EXPECTED_ROLE_ARN",
      /does not set itself/,
    );
  });

  it("refuses AWS variables that carry or select credentials, and volume fields it does not check", () => {
    for (const name of [
      "AWS_ACCESS_KEY_ID",
      "AWS_ROLE_ARN",
      "AWS_CONTAINER_CREDENTIALS_FULL_URI",
      "AWS_DEFAULT_PROFILE",
    ]) {
      expectInputError(
        () => validatePodCredentials("w", { env: [{ name, value: "x" }] }),
        "w.env[0].name",
        name,
        /must not be an AWS variable other than AWS_CONFIG_FILE or AWS_PROFILE/,
      );
    }
    const volume = wiring.volumes[0];
    expectInputError(
      () =>
        validatePodCredentials("w", {
          ...podCredentials,
          volumes: [{ ...volume, hostPath: { path: "/" } }],
        }),
      "w.volumes[0].hostPath",
      { path: "/" },
      /is not a field of the wiring/,
    );
    expectInputError(
      () =>
        validatePodCredentials("w", {
          ...podCredentials,
          volumes: [{ ...volume, configMap: { ...volume.configMap, defaultMode: 0o755 } }],
        }),
      "w.volumes[0].configMap.defaultMode",
      0o755,
      /at most 0644/,
    );
    expectInputError(
      () =>
        validatePodCredentials("w", {
          ...podCredentials,
          volumes: [
            { ...volume, configMap: { ...volume.configMap, items: [{ key: "config", path: "../x" }] } },
          ],
        }),
      "w.volumes[0].configMap.items[0].path",
      "../x",
      /relative path without '\.\.'/,
    );
    // The checked wiring is rebuilt field by field: what it returns is exactly what it was given.
    expect(validatePodCredentials("w", podCredentials).volumes).to.deep.equal(wiring.volumes);
  });
});
