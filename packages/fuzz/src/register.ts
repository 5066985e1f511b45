// `node --import ./dist/register.js`: instruments the packages under test before they load.
import { register } from "node:module";

register("./instrument-hooks.js", import.meta.url);
