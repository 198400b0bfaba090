import { main } from "./main.js";

// The bundle's entry (dist/strata.cjs, started by bin/strata).
void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
