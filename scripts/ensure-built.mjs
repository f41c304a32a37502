// Build dist/ with tsup when it is missing or older than any file in src/, so that
// `npm run example` and `npm run bench` work straight after `npm ci`.
import { execSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const built = join(root, "dist", "index.js");

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

if (!existsSync(built) || statSync(built).mtimeMs < newest(join(root, "src"))) {
  console.error("building dist/ (tsup)…");
  execSync("npx tsup", { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
}
