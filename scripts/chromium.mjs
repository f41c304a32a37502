// Where the browser checks find Chromium: CHROMIUM_PATH, or Debian's package (installed by
// .ci/install-browser.sh). Never downloads a browser. Exits with a message when none is found.
import { existsSync } from "node:fs";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"];

export function chromiumPath() {
  const path = process.env.CHROMIUM_PATH || CANDIDATES.find((candidate) => existsSync(candidate));
  if (!path) {
    console.error(`No Chromium found (looked for ${CANDIDATES.join(", ")}); run .ci/install-browser.sh or set CHROMIUM_PATH.`);
    process.exit(1);
  }
  return path;
}
