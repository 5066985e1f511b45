import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findPlaygroundDir, servePlayground } from "./playground.js";

const dir = mkdtempSync(join(tmpdir(), "savevm-playground-site-"));
mkdirSync(join(dir, "assets"));
writeFileSync(join(dir, "index.html"), "<!doctype html><title>x</title>");
writeFileSync(join(dir, "assets", "main.js"), "export {};");
writeFileSync(join(tmpdir(), "savevm-playground-outside.txt"), "secret");
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(join(tmpdir(), "savevm-playground-outside.txt"), { force: true });
});

/** A raw GET (no URL normalisation by the client, so `..` reaches the server as typed). */
function get(url: string, path: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method: "GET" }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("savevm playground", () => {
  it("serves the site on 127.0.0.1, cross-origin isolated", async () => {
    const served = await servePlayground({ dir, port: 0 });
    try {
      expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await get(served.url, "/");
      expect(page.status).toBe(200);
      expect(page.headers["content-type"]).toMatch(/^text\/html/);
      expect(page.headers["cross-origin-opener-policy"]).toBe("same-origin");
      expect(page.headers["cross-origin-embedder-policy"]).toBe("require-corp");
      const js = await get(served.url, "/assets/main.js");
      expect(js.status).toBe(200);
      expect(js.headers["content-type"]).toMatch(/^text\/javascript/);
      expect(js.headers["cross-origin-resource-policy"]).toBe("same-origin");
      expect((await get(served.url, "/nothing.js")).status).toBe(404);
      for (const path of ["/../savevm-playground-outside.txt", "/%2e%2e/savevm-playground-outside.txt", "/assets/../../savevm-playground-outside.txt"]) {
        const r = await get(served.url, path);
        expect(r.status, path).not.toBe(200);
        expect(r.body).not.toContain("secret");
      }
    } finally {
      await served.close();
    }
  });

  it("leaves COOP/COEP out when asked, and refuses a directory with no built site", async () => {
    const served = await servePlayground({ dir, port: 0, isolation: false });
    try {
      const page = await get(served.url, "/");
      expect(page.status).toBe(200);
      expect(page.headers["cross-origin-opener-policy"]).toBeUndefined();
    } finally {
      await served.close();
    }
    await expect(servePlayground({ dir: join(dir, "assets"), port: 0 })).rejects.toMatchObject({ code: "USAGE", message: expect.stringMatching(/holds no built playground/) });
  });

  it("finds the workspace's built site, or the one $SAVEVM_PLAYGROUND_DIR names", () => {
    expect(findPlaygroundDir()).toMatch(/apps[\\/]playground[\\/]dist[\\/]?$/);
    process.env.SAVEVM_PLAYGROUND_DIR = dir;
    try {
      expect(findPlaygroundDir()).toBe(dir);
    } finally {
      delete process.env.SAVEVM_PLAYGROUND_DIR;
    }
  });
});
