/**
 * io/regularFile.ts: the one reader of files a user names (stack files, kubeconfigs, Pulumi.yaml).
 * Anything but a regular file is refused before a byte is read, and never more than the limit is read,
 * so a device or a FIFO answers at once instead of hanging or filling memory.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { readRegularFile, UnreadableFileError, type UnreadableFile } from "../../io/regularFile";
import { MAX_LOCAL_FILE_BYTES, nodeFileSystem } from "../../cli/shared/system";

function refusal(read: () => unknown): UnreadableFile {
  try {
    read();
  } catch (e) {
    expect(e).to.be.instanceOf(UnreadableFileError);
    return (e as UnreadableFileError).why;
  }
  throw new Error("expected a refusal");
}

describe("io/regularFile: reading a file a user names", () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "regular-file-"));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("reads a regular file's UTF-8 text, up to and including the limit", () => {
    const file = path.join(dir, "ok.yaml");
    fs.writeFileSync(file, "é".repeat(5)); // 10 bytes
    expect(readRegularFile(file, 10)).to.equal("é".repeat(5));
  });

  it("refuses a regular file one byte over the limit", () => {
    const file = path.join(dir, "big.yaml");
    fs.writeFileSync(file, "x".repeat(11));
    expect(refusal(() => readRegularFile(file, 10))).to.deep.equal({ problem: "too-large", maxBytes: 10 });
  });

  it("refuses /dev/zero and /dev/urandom as devices, without reading them", () => {
    for (const device of ["/dev/zero", "/dev/urandom"]) {
      expect(refusal(() => readRegularFile(device, 10))).to.deep.equal({
        problem: "not-regular",
        kind: "a character device",
      });
    }
  });

  it("refuses a FIFO nobody writes to at once (it would block a plain read)", () => {
    const fifo = path.join(dir, "pipe");
    execFileSync("mkfifo", [fifo]);
    expect(refusal(() => readRegularFile(fifo, 10))).to.deep.equal({
      problem: "not-regular",
      kind: "a FIFO",
    });
  });

  it("refuses a directory, and names a missing file by its error code", () => {
    expect(refusal(() => readRegularFile(dir, 10))).to.deep.equal({
      problem: "not-regular",
      kind: "a directory",
    });
    expect(refusal(() => readRegularFile(path.join(dir, "none"), 10))).to.deep.equal({
      problem: "error",
      code: "ENOENT",
    });
  });

  it("the deploy commands' file system reads through it (a FIFO as a stack file no longer hangs deploy)", () => {
    const fifo = path.join(dir, "Pulumi.account-a.yaml");
    execFileSync("mkfifo", [fifo]);
    expect(() => nodeFileSystem.readFile(fifo)).to.throw(UnreadableFileError, "a FIFO, not a regular file");
    expect(() => nodeFileSystem.readFile("/dev/zero")).to.throw(UnreadableFileError, "a character device");
    expect(MAX_LOCAL_FILE_BYTES).to.be.greaterThan(256 * 1024);
  });
});
