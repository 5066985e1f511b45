#!/usr/bin/env node
// A committed shim: npm links workspace bins at install time, before dist/ exists.
import { main } from "../dist/main.js";

main(process.argv).then((code) => {
  process.exitCode = code;
});
