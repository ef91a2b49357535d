/**
 * `npm run check`: `npm run typecheck` and `eslint .` on ONE TypeScript program. Both need the program
 * of tsconfig.json, and building it is most of their time (the Pulumi SDKs' declarations are about
 * 930,000 lines to parse and bind); run separately, each builds its own. Here the type check's program
 * is handed to typescript-eslint (`parserOptions.programs`, in place of the config's `projectService`),
 * so the rules see the same types. Prints what `tsc --noEmit -p tsconfig.json` and `eslint .` print;
 * exits 1 when either finds a problem. CI runs it (.ci/run); `npm run typecheck` and `npm run lint`
 * stay for a single step.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import ts from "typescript";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const started = process.hrtime.bigint();
const seconds = () => (Number(process.hrtime.bigint() - started) / 1e9).toFixed(1);

const configFile = path.join(root, "tsconfig.json");
const parsed = ts.getParsedCommandLineOfConfigFile(
  configFile,
  { noEmit: true },
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    },
  },
);
const program = ts.createProgram({
  rootNames: parsed.fileNames,
  options: parsed.options,
  projectReferences: parsed.projectReferences,
  configFileParsingDiagnostics: ts.getConfigFileParsingDiagnostics(parsed),
});
const diagnostics = ts.getPreEmitDiagnostics(program);
const host = {
  getCanonicalFileName: (f) => f,
  getCurrentDirectory: () => root,
  getNewLine: () => "\n",
};
process.stdout.write(
  process.stdout.isTTY
    ? ts.formatDiagnosticsWithColorAndContext(diagnostics, host)
    : ts.formatDiagnostics(diagnostics, host),
);
process.stderr.write(`check: typecheck ${diagnostics.length} errors (${seconds()} s)\n`);

const eslint = new ESLint({
  cwd: root,
  overrideConfig: {
    files: ["**/*.ts"],
    languageOptions: { parserOptions: { projectService: false, programs: [program] } },
  },
});
const results = await eslint.lintFiles(["."]);
const formatter = await eslint.loadFormatter("stylish");
process.stdout.write(await formatter.format(results));
// As `eslint .`: warnings are printed, errors fail.
const errors = results.reduce((n, r) => n + r.errorCount, 0);
const warnings = results.reduce((n, r) => n + r.warningCount, 0);
process.stderr.write(
  `check: eslint ${errors} errors, ${warnings} warnings in ${results.length} files (${seconds()} s)\n`,
);

process.exitCode = diagnostics.length > 0 || errors > 0 ? 1 : 0;
