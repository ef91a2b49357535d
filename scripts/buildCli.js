/**
 * `npm run build`'s second half: the package's command line (cli/main.ts and every module it reaches
 * through relative imports) compiled to dist/cli/, laid out as in the repository, so that the npm
 * tarball's `cross-account-irsa` binary runs plain JavaScript. Compiled by the same content-hashed
 * step as the repository's own commands (scripts/tsCache.js). Prints what it wrote.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { compiled } = require("./tsCache");

const ROOT = path.resolve(__dirname, "..");
const OUT = path.join(ROOT, "dist", "cli");
const ENTRY = path.join(ROOT, "cli", "main.ts");
/** A relative require() in sucrase's CommonJS output (static imports and import() both become one). */
const RELATIVE_REQUIRE = /require\((['"])(\.\.?\/[^'"]+)\1\)/g;

function resolveTs(from, specifier) {
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [`${base}.ts`, path.join(base, "index.ts")]) {
    if (fs.existsSync(candidate)) return candidate;
  }
  if (fs.existsSync(base) && !fs.statSync(base).isDirectory()) return undefined; // JSON or JS: copied below
  throw new Error(`${path.relative(ROOT, from)}: cannot resolve ${specifier}`);
}

function build() {
  fs.rmSync(OUT, { recursive: true, force: true });
  const seen = new Set([ENTRY]);
  const queue = [ENTRY];
  while (queue.length > 0) {
    const file = queue.pop();
    let { code } = compiled(file);
    if (file === ENTRY && !code.startsWith("#!")) code = `#!/usr/bin/env node\n${code}`;
    const target = path.join(OUT, path.relative(ROOT, file)).replace(/\.ts$/, ".js");
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, code, { mode: file === ENTRY ? 0o755 : 0o644 });
    for (const [, , specifier] of code.matchAll(RELATIVE_REQUIRE)) {
      const next = resolveTs(file, specifier);
      if (next === undefined) {
        const asset = path.resolve(path.dirname(file), specifier);
        const copy = path.join(OUT, path.relative(ROOT, asset));
        fs.mkdirSync(path.dirname(copy), { recursive: true });
        fs.copyFileSync(asset, copy);
      } else if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  process.stdout.write(`dist/cli: ${seen.size} modules compiled (cli/main.ts and what it imports)\n`);
}

build();
