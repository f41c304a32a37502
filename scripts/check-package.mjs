// Checks the built package the way a user gets it: publint (package.json/exports
// hygiene), @arethetypeswrong/cli (types resolve for import and require under every
// moduleResolution), and a real import through ESM and CJS in fresh Node processes.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const run = (cmd, args, input) =>
  execFileSync(cmd, args, { cwd: root, encoding: "utf8", input, stdio: ["pipe", "pipe", "inherit"] });

console.log(run("npx", ["--no-install", "publint", "--strict"]));
console.log(run("npx", ["--no-install", "attw", "--pack", ".", "--format", "ascii"]));

const esm = run("node", ["--input-type=module", "-"], `
  import { MeanSquaredError, getLoss } from "losskit";
  const v = new MeanSquaredError()([12, 20, 29, 60], [14, 18, 27, 55]);
  if (v !== 9.25 || getLoss("mse")([12, 20, 29, 60], [14, 18, 27, 55]) !== 9.25) throw new Error("ESM import gave " + v);
  console.log("ESM import ok: " + v);
`);
const cjs = run("node", ["-"], `
  const { MeanSquaredError, getLoss } = require("losskit");
  const v = new MeanSquaredError()([12, 20, 29, 60], [14, 18, 27, 55]);
  if (v !== 9.25 || getLoss("mse")([12, 20, 29, 60], [14, 18, 27, 55]) !== 9.25) throw new Error("CJS require gave " + v);
  console.log("CJS require ok: " + v);
`);
process.stdout.write(esm + cjs);
