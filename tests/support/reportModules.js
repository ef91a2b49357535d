// Preloaded (`node -r`) into a child process by the entry-point tests: when the process exits, it
// writes the paths of every module it loaded to the file named by REPORT_MODULES_TO.
"use strict";
const fs = require("node:fs");
const target = process.env.REPORT_MODULES_TO;
if (target) {
  process.on("exit", () => fs.writeFileSync(target, JSON.stringify(Object.keys(require.cache))));
}
