import { expect } from "chai";
import { parseCliArgs, resumeCommandLine, shellQuote } from "../../deploy/cli";

describe("automation CLI", () => {
  describe("argument parsing", () => {
    it("parses a command with defaults", () => {
      expect(parseCliArgs(["deploy"], "/cwd")).to.deep.equal({
        kind: "run",
        args: {
          command: "deploy",
          stacks: { a: "account-a", b: "account-b" },
          backend: undefined,
          yes: false,
          skipAwsCheck: false,
          flags: [],
        },
      });
    });

    it("parses every flag and keeps them for the resume hint", () => {
      const parsed = parseCliArgs(
        [
          "destroy",
          "--stack-a",
          "dev-a",
          "--stack-b=dev-b",
          "--backend",
          "file://./state",
          "-y",
          "--skip-aws-check",
        ],
        "/cwd",
      );
      expect(parsed).to.deep.equal({
        kind: "run",
        args: {
          command: "destroy",
          stacks: { a: "dev-a", b: "dev-b" },
          backend: "file:///cwd/state",
          yes: true,
          skipAwsCheck: true,
          flags: [
            "--stack-a",
            "dev-a",
            "--stack-b",
            "dev-b",
            "--backend",
            "file:///cwd/state",
            "--yes",
            "--skip-aws-check",
          ],
        },
      });
    });

    it("recognises --help and -h anywhere", () => {
      expect(parseCliArgs(["--help"], "/")).to.deep.equal({ kind: "help" });
      expect(parseCliArgs(["deploy", "-h"], "/")).to.deep.equal({ kind: "help" });
    });

    const errors: Array<[string[], RegExp]> = [
      [["deploy", "--force"], /Unknown option '--force'/],
      [[], /no command given \(one of deploy, preview, destroy, verify\)/],
      [["launch"], /unknown command "launch"/],
      [["deploy", "now"], /unexpected argument "now"/],
      [["deploy", "--stack-a"], /--stack-a/],
      [["deploy", "--stack-a", "a b"], /--stack-a: "a b" is not a valid stack name/],
      [["deploy", "--stack-a", "x", "--stack-b", "x"], /--stack-a and --stack-b are both "x"/],
      [["deploy", "--backend", "state"], /--backend: backend "state" is not a URL/],
      [["deploy", "--yes=no"], /--yes/],
    ];
    for (const [argv, message] of errors) {
      it(`rejects ${JSON.stringify(argv)}`, () => {
        const parsed = parseCliArgs(argv, "/");
        expect(parsed.kind).to.equal("error");
        expect(parsed.kind === "error" && parsed.message).to.match(message);
      });
    }

    it("quotes resume hints for the shell", () => {
      expect(shellQuote("file:///a/b")).to.equal("file:///a/b");
      expect(shellQuote("/my dir/it's")).to.equal(`'/my dir/it'\\''s'`);
      expect(resumeCommandLine("deploy", [])).to.equal("npm run deploy");
      expect(resumeCommandLine("destroy", ["--backend", "file:///s p", "--yes"])).to.equal(
        "npm run destroy -- --backend 'file:///s p' --yes",
      );
    });
  });
});
