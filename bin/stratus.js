#!/usr/bin/env node
import { main } from "../dist/lib/cli/main.js";

// Long-running commands never resolve; a resolved code or a rejection means the command is over.
main(process.argv.slice(2)).then(
  (code) => process.exit(typeof code === "number" ? code : 0),
  (err) => {
    console.error(`stratus: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
