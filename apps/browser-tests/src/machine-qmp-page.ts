/**
 * The page for the root entries of @savevm/machine and @savevm/qmp: only the packages' dist/ is
 * served and mapped, so a `node:` import (or any module outside the map) anywhere in what they
 * load fails the dynamic import, and the page reports it. The result lands in `window.savevmResult`.
 */
export const MACHINE_QMP_PATH = "/machine-qmp";

const script = `
const result = {};
try {
  const scenario = await import("/apps/browser-tests/dist/machine-qmp-scenario.js");
  result.qmp = await scenario.runQmpScenario();
  result.machine = await scenario.runMachineScenario();
  // The control: a Node builtin does not load here, so the imports above really had none.
  result.nodeBuiltin = await import("node:fs").then(() => "loaded", (err) => "refused: " + err.name);
} catch (err) {
  result.error = String((err && err.stack) || err);
}
window.savevmResult = result;
`;

export const MACHINE_QMP_PAGE = `<!doctype html>
<meta charset="utf-8">
<title>savevm machine and qmp in the browser</title>
<script type="importmap">
{ "imports": {
  "@savevm/format": "/packages/format/dist/index.js",
  "@savevm/ram-wasm": "/packages/ram-wasm/dist/index.js",
  "@savevm/machine": "/packages/machine/dist/index.js",
  "@savevm/qmp": "/packages/qmp/dist/index.js",
  "fflate": "/node_modules/fflate/esm/browser.js"
} }
</script>
<script type="module">${script}</script>
`;
