/**
 * A stack config path that names a device, a FIFO or a directory is refused before anything is read,
 * and a regular file is read up to the size limit only: the plan answers at once whatever the path.
 * (Before, `--config-a /dev/zero` read until memory ran out and a FIFO blocked forever: this file's
 * tests then end in mocha's timeout.)
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { MAX_STACK_FILE_BYTES, loadStackConfig, readStackFileText } from "../../stacks/stackFile";
import { main, type PlanIo } from "../../plan/cli";

describe("reading a stack config file", () => {
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "stack-file-"));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("refuses a character device (/dev/zero, /dev/urandom) without reading it", () => {
    expect(() => readStackFileText("/dev/zero")).to.throw(
      /^\/dev\/zero: cannot read the stack config file \(a character device, not a regular file\)/,
    );
    expect(() => loadStackConfig("/dev/urandom")).to.throw(/\/dev\/urandom: .*a character device/);
  });

  it("refuses a FIFO without opening it for a writer that never comes", () => {
    const fifo = path.join(tmp, "Pulumi.fifo.yaml");
    execFileSync("mkfifo", [fifo]);
    expect(() => readStackFileText(fifo)).to.throw(/a FIFO, not a regular file/);
  });

  it("refuses a directory and a file over the limit, naming the path", () => {
    expect(() => readStackFileText(tmp)).to.throw(/a directory, not a regular file/);
    const big = path.join(tmp, "Pulumi.big.yaml");
    fs.writeFileSync(big, `config:\n  p:k: "${"x".repeat(MAX_STACK_FILE_BYTES)}"\n`);
    expect(() => readStackFileText(big)).to.throw(/Pulumi\.big\.yaml: .*larger than 262144 bytes/);
  });

  it("npm run plan -- --config-a /dev/zero exits 1 at once, naming the path", async () => {
    const err: string[] = [];
    const io: PlanIo = {
      stdout: () => undefined,
      stderr: (s) => err.push(s),
      isTTY: false,
      env: {},
      cwd: tmp,
    };
    const code = await main(["--config-a", "/dev/zero", "--out", path.join(tmp, "out")], io);
    expect(code).to.equal(1);
    expect(err.join("")).to.match(
      /plan: \/dev\/zero: cannot read the stack config file \(a character device/,
    );
  });
});
