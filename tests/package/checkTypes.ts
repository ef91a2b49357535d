/**
 * `node -r ./scripts/tsCache.js tests/package/checkTypes.ts <dir>`: compiles the program whose
 * tsconfig.json is in <dir> (the scratch consumer of tarball.test.ts) with TypeScript's own compiler, as
 * `tsc -p <dir>` would (emitting it to its outDir), but fully checks only the files this package answers for: the program's
 * own files and every declaration file of the installed cross-account-irsa package. The other packages'
 * declarations (@pulumi/aws alone is tens of megabytes of them) are parsed, bound and checked where a
 * checked file uses them, but their own bodies are not checked: the `skipLibCheck` of everything except
 * this package. A full `tsc` spent most of the package suite's time (34 s of 45) checking them.
 * Prints the diagnostics as tsc does and exits 1 when there is one (not a test file: mocha only runs
 * `*.test.ts`).
 */
import * as path from "node:path";
import ts from "typescript";

/** Whether the checker must check this file's body: not another package's declarations. */
export function checkedFully(fileName: string, packageName: string): boolean {
  const parts = path.resolve(fileName).split(path.sep);
  const at = parts.lastIndexOf("node_modules");
  return at < 0 || parts[at + 1] === packageName;
}

/** Emits the program in `dir`; the diagnostics tsc would print, narrowed as above. */
export function compile(dir: string, packageName: string): readonly ts.Diagnostic[] {
  const configFile = path.join(dir, "tsconfig.json");
  const read = ts.readConfigFile(configFile, (f) => ts.sys.readFile(f));
  if (read.error) return [read.error];
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dir, undefined, configFile);
  if (parsed.errors.length > 0) return parsed.errors;
  const program = ts.createProgram({
    rootNames: parsed.fileNames,
    options: parsed.options,
    projectReferences: parsed.projectReferences,
  });
  const found: ts.Diagnostic[] = [
    ...program.getConfigFileParsingDiagnostics(),
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
  ];
  for (const file of program.getSourceFiles()) {
    found.push(...program.getSyntacticDiagnostics(file));
    if (checkedFully(file.fileName, packageName)) found.push(...program.getSemanticDiagnostics(file));
  }
  const checked = program.getSourceFiles().filter((f) => checkedFully(f.fileName, packageName));
  if (
    !checked.some((f) => f.fileName.includes(`${path.sep}node_modules${path.sep}${packageName}${path.sep}`))
  ) {
    // A check that saw none of the package's files would pass on nothing.
    throw new Error(`no declaration file of ${packageName} is in the program of ${configFile}`);
  }
  // One file at a time: emitting the whole program at once makes the checker check every file first.
  for (const file of program.getRootFileNames()) {
    found.push(...program.emit(program.getSourceFile(file)).diagnostics);
  }
  return ts.sortAndDeduplicateDiagnostics(found);
}

if (require.main === module) {
  const [dir, packageName = "cross-account-irsa"] = process.argv.slice(2);
  if (dir === undefined) {
    process.stderr.write("usage: checkTypes.ts <dir with tsconfig.json> [package name]\n");
    process.exit(2);
  }
  const found = compile(path.resolve(dir), packageName);
  process.stdout.write(
    ts.formatDiagnostics(found, {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => path.resolve(dir),
      getNewLine: () => "\n",
    }),
  );
  process.exitCode = found.length > 0 ? 1 : 0;
}
