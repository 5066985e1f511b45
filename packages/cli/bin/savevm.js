#!/usr/bin/env node
// A committed shim: npm links workspace bins at install time, before dist/ exists.
import module from "node:module";

// Node 22.1+ keeps compiled modules between runs; every command starts faster with it.
module.enableCompileCache?.();
const { main } = await import("../dist/main.js");

main(process.argv).then((code) => {
  process.exitCode = code;
});
