/**
 * npm run build: compiles the library (components/ and core/) into dist/ with its type declarations and the
 * host scripts it reads at run time; `npm pack` runs it first (prepack).
 */
import { buildPackage, DIST_DIR } from "./lib/package";

try {
  buildPackage();
  console.log(`build: ${DIST_DIR}`);
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
