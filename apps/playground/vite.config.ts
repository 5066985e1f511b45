import { defineConfig } from "vite";

/** Cross-origin isolation, so SharedArrayBuffer works: dev and preview send what `savevm playground` sends. */
export const ISOLATION_HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

export default defineConfig({
  server: { headers: ISOLATION_HEADERS, host: "127.0.0.1" },
  preview: { headers: ISOLATION_HEADERS, host: "127.0.0.1" },
  worker: { format: "es" },
  build: {
    target: "es2022",
    rollupOptions: { input: { main: "index.html", bench: "bench.html" } },
  },
});
