/**
 * The stack file is read as the Pulumi CLI reads it: each YAML spelling yields the text `pulumi
 * config get` and `pulumi.runtime.allConfig()` give. The expectations come from Pulumi's and
 * yaml.v3's source, not from running them (no Go toolchain here):
 *
 * - pulumi/pulumi 1b5949891b3cefcb9974752b24a5ecef0acc86c8:
 *   sdk/go/common/workspace/loaders.go 173-233 (decode into `any`, namespace, decode into
 *   `config.Value`), 360-378 (a null value is ""), 61-90 (keys without a namespace);
 *   sdk/go/common/resource/config/object.go 403-419 (`MarshalString`: strings as is, numbers and
 *   booleans as JSON), 467-527 (`unmarshalObject`: `time.Time` → `String()`), 541-550 (secure);
 *   sdk/go/common/resource/config/key.go 45-70 (`ParseKey`); sdk/go.mod (gopkg.in/yaml.v3 v3.0.1).
 * - go-yaml/yaml v3.0.1 (f6f7691b1fdeb513f56608cd2c32c51f8194bf51): resolve.go 47-60 (the bool /
 *   null / .inf table), 124 (the float pattern), 126-265 (`resolve`: timestamps first, `_` removed,
 *   `strconv.ParseInt(s, 0, 64)` so 0x / 0o / 0b / a leading 0 are ints), 292-326
 *   (`parseTimestamp`); decode.go 565-619 (`!!binary` base64-decoded into a string; a quoted
 *   scalar is a string).
 */
import { expect } from "chai";
import { parseStackConfig } from "../../stacks/stackFile";
import { configGetters, parseAccountAConfig, parseAccountBConfig } from "../../stacks/config";

const top = (spelling: string): string | undefined =>
  parseStackConfig(`config:\n  p:k: ${spelling}\n`, "t").config["p:k"];
const nested = (spelling: string): string | undefined =>
  parseStackConfig(`config:\n  p:o:\n    k: ${spelling}\n`, "t").config["p:o"];

/** [as written, the text Pulumi stores at the top level, why]. */
const TABLE: Array<[string, string, string]> = [
  ["2024-01-01", "2024-01-01 00:00:00 +0000 UTC", "a timestamp; time.Time.String() (object.go 490-491)"],
  ["2024-1-2", "2024-01-02 00:00:00 +0000 UTC", "short date fields (resolve.go 295-298)"],
  ["2024-01-01T10:00:00.50Z", "2024-01-01 10:00:00.5 +0000 UTC", "RFC 3339 in UTC"],
  ["2024-01-01 10:00:00", "2024-01-01 10:00:00 +0000 UTC", "space separated, no zone: UTC"],
  ["2024-02-30", "2024-02-30", "not a date time.Parse takes: a string"],
  ['"2024-01-01"', "2024-01-01", "quoted: a string (decode.go 568-570)"],
  ["0xE10", "3600", "hex int (ParseInt base 0)"],
  ["0o7020", "3600", "YAML 1.2 octal"],
  ["07020", "3600", "YAML 1.1 octal, still read by v3 (resolve.go 233-236)"],
  ["0b111000010000", "3600", "binary"],
  ["3_600", "3600", "underscores removed (resolve.go 191)"],
  ["3600.0", "3600", "a float: JSON 3600"],
  ["3.6e3", "3600", "a float matching the YAML float pattern"],
  ["1.50", "1.5", "a float: its shortest JSON text"],
  ["-0.0", "0", "negative zero: written back as 0"],
  ["09", "9", "not octal, but a float by the pattern"],
  ["1e400", "1e400", "out of float64 range: a string"],
  ["18446744073709551615", "18446744073709551615", "uint64: exact"],
  ["12345", "12345", "an int: its digits"],
  ['"12345"', "12345", "a quoted number: the same text"],
  ["yes", "yes", "YAML 1.1 booleans are strings in v3"],
  ["no", "no", "likewise"],
  ["on", "on", "likewise"],
  ["True", "true", "a v3 boolean"],
  ["FALSE", "false", "a v3 boolean"],
  ["~", "", 'null: "" (loaders.go 360-378)'],
  ["null", "", "null"],
  ["", "", "empty: null"],
  ['""', "", "an empty string"],
  ["!!binary c3Ry", "str", "base64-decoded into a string (decode.go 573-579)"],
  ["!!str 12", "12", "an explicit string"],
  ["!!float 3", "3", "an int tagged float: float64 3"],
  ["[a, 1, 0x10, ~]", '["a",1,16,null]', "a list: JSON"],
  ["{z: 1, a: <&>}", '{"a":"\\u003c\\u0026\\u003e","z":1}', "a map: JSON, keys sorted, <&> escaped"],
];

describe("stack files are read as the Pulumi CLI reads them (yaml.v3 into config.Value)", () => {
  for (const [written, stored, why] of TABLE) {
    it(`${written === "" ? "(empty)" : written} → ${JSON.stringify(stored)}: ${why}`, () => {
      expect(top(written)).to.equal(stored);
    });
  }
  it("inside an object: null stays null, timestamps become their text, numbers JSON", () => {
    expect(nested("~")).to.equal('{"k":null}');
    expect(nested("2024-01-01")).to.equal('{"k":"2024-01-01 00:00:00 +0000 UTC"}');
    expect(nested("0o7020")).to.equal('{"k":3600}');
    expect(nested('"0o7020"')).to.equal('{"k":"0o7020"}');
    expect(nested("!!binary c3Ry")).to.equal('{"k":"str"}');
  });
  it("keys: no namespace is the project's, <ns>:config:<key> is <ns>:<key>, others refused", () => {
    const { config } = parseStackConfig("config:\n  roleName: r\n  aws:config:region: eu-west-1\n", "t");
    expect(config).to.deep.equal({ "cross-account-irsa:roleName": "r", "aws:region": "eu-west-1" });
    expect(() => parseStackConfig("config:\n  a:b:c: 1\n", "t")).to.throw(/config key "a:b:c"/);
    expect(() => parseStackConfig("config:\n  p:o: {1: a}\n", "t")).to.throw(
      /p:o: the key 1 is not a string; Pulumi accepts only string keys/,
    );
  });
  it("refuses what cannot be known offline: a timestamp with a UTC offset, non-UTF-8 !!binary", () => {
    expect(() => top("2024-01-01T10:00:00+02:00")).to.throw(/UTC offset.*quote it/);
    expect(() => top("!!binary /w==")).to.throw(/not UTF-8 text/);
    expect(() => top(".inf")).to.throw(/holds Infinity/);
  });
});

describe("the programs read the values as Config.get returns them", () => {
  const B =
    "config:\n  aws:region: eu-west-1\n  cross-account-irsa:serviceAccounts: [{namespace: apps, name: reader}]\n";
  const parseB = (extra: string) => {
    const { config, secretKeys } = parseStackConfig(B + extra, "t");
    return parseAccountBConfig(configGetters(config, secretKeys), "acme");
  };
  it("a quoted number is a string setting's text (roleName, aws:profile)", () => {
    expect(parseB('  cross-account-irsa:roleName: "12345"\n').roleName).to.equal("12345");
    expect(parseB('  aws:profile: "123"\n').aws.profile).to.equal("123");
  });
  it("a date as objectKey is the text Pulumi stores, not an ISO date", () => {
    expect(parseB("  cross-account-irsa:bucket: {objectKey: 2024-01-01}\n").bucket.objectKey).to.equal(
      "2024-01-01 00:00:00 +0000 UTC",
    );
  });
  it("maxSessionDuration written as 0xE10, 0o7020, 3600.0 or 3.6e3 is 3600, as Pulumi stores it", () => {
    for (const w of ["0xE10", "0o7020", "3600.0", "3.6e3"]) {
      expect(parseB(`  cross-account-irsa:maxSessionDuration: ${w}\n`).maxSessionDuration).to.equal(3600);
    }
  });
  it("a value left empty is unset", () => {
    const { config, secretKeys } = parseStackConfig(
      "config:\n  aws:region: eu-west-1\n  cross-account-irsa:deployProbe:\n  cross-account-irsa:cluster: ~\n",
      "t",
    );
    const a = parseAccountAConfig(configGetters(config, secretKeys), "acme");
    expect(a.deployProbe).to.equal(true);
    expect(a.cluster).to.deep.equal({});
  });
});
