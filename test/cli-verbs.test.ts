// The resource verbs of the built command line (dist/cli.js) against the mock server with auth on.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportJWK, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliAsync } from "./helpers/cli.js";
import { createMockServer, type MockServer } from "../src/node/index.js";

const dir = mkdtempSync(join(tmpdir(), "crest-verbs-"));
let server: MockServer;
let url: string;
let jwkFile: string;
let privateD: string;

beforeAll(async () => {
  const pair = await generateKeyPair("RS256", { extractable: true });
  const privateJwk = await exportJWK(pair.privateKey);
  privateD = String(privateJwk.d);
  jwkFile = join(dir, "key.jwk");
  writeFileSync(jwkFile, JSON.stringify(privateJwk));
  server = await createMockServer({
    collections: { "managed/alpha_user": [{ _id: "1", userName: "bjensen", accountStatus: "active" }, { _id: "2", userName: "scarter", accountStatus: "inactive" }] },
    basePath: "/openidm",
    auth: { tokens: ["static-token-1234"], serviceAccounts: { sa: { publicJwk: await exportJWK(pair.publicKey), scopes: ["fr:idm:*"] } } },
  });
  url = new URL("/openidm/managed/alpha_user", server.url).href;
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const run = (args: string[], input?: string, extraEnv: Record<string, string> = {}) => runCliAsync(args, { input, cwd: dir, env: { NO_COLOR: "1", ...extraEnv } });

const sa = ["--service-account-id", "sa", "--jwk-file", "key.jwk"];

describe("crest-query resource verbs", () => {
  it("reads, creates, updates, patches, counts, runs actions and deletes, logged in as a service account", async () => {
    const read = await run(["read", url, "1", ...sa]);
    expect(read.code).toBe(0);
    expect(JSON.parse(read.stdout)).toMatchObject({ _id: "1", userName: "bjensen", _rev: "0" });

    const created = await run(["create", url, '{"userName":"new","accountStatus":"active"}', "--id", "n 1", ...sa]);
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ _id: "n 1", userName: "new" });
    const again = await run(["create", url, '{"userName":"new"}', "--id", "n 1", ...sa]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/412|exists/);

    // Body from a file, and from standard input.
    writeFileSync(join(dir, "body.json"), '{"userName":"renamed","accountStatus":"inactive"}');
    const updated = await run(["update", url, "n 1", "--body-file", "body.json", "--rev", "0", ...sa]);
    expect(updated.code).toBe(0);
    expect(JSON.parse(updated.stdout)).toMatchObject({ userName: "renamed", _rev: "1" });
    const stale = await run(["patch", url, "n 1", "--rev", "0", ...sa], '[{"operation":"replace","field":"/userName","value":"x"}]');
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/revision/);
    const patched = await run(["patch", url, "n 1", "--rev", "1", ...sa], '[{"operation":"replace","field":"/userName","value":"x"}]');
    expect(JSON.parse(patched.stdout)).toMatchObject({ userName: "x", _rev: "2" });
    const badPatch = await run(["patch", url, "n 1", '[{"operation":"add","field":"/x"}]', ...sa]);
    expect(badPatch.code).toBe(1);
    expect(badPatch.stderr).toMatch(/add needs a value/);

    const count = await run(["count", url, '/accountStatus eq "inactive"'], undefined, { CREST_SERVICE_ACCOUNT_ID: "sa", CREST_JWK_FILE: jwkFile });
    expect(count).toMatchObject({ code: 0, stdout: "2\n" });

    const unknown = await run(["action", url, "nope", "--token", "static-token-1234"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/not supported/);

    const deleted = await run(["delete", url, "n 1", "--rev", "2"], undefined, { CREST_TOKEN: "static-token-1234" });
    expect(JSON.parse(deleted.stdout)).toMatchObject({ _id: "n 1" });
    const gone = await run(["read", url, "n 1", "--token", "static-token-1234"]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/not found/i);
  });

  it("says what is missing, and never prints the key or a token", async () => {
    const noLogin = await run(["read", url, "1"]);
    expect(noLogin.code).toBe(1);
    expect(noLogin.stderr).toMatch(/401|Authentication required/);
    const noKey = await run(["read", url, "1", "--service-account-id", "sa"]);
    expect(noKey).toMatchObject({ code: 2 });
    expect(noKey.stderr).toMatch(/--jwk-file/);
    const wrongScope = await run(["read", url, "1", ...sa, "--scope", "fr:am:*"]);
    expect(wrongScope.code).toBe(1);
    expect(wrongScope.stderr).toMatch(/invalid_scope/);
    const badToken = await run(["read", url, "1", "--token", "not-a-valid-token-5678"]);
    for (const output of [noLogin, noKey, wrongScope, badToken]) {
      expect(output.stdout + output.stderr).not.toContain(privateD.slice(0, 16));
      expect(output.stdout + output.stderr).not.toContain("not-a-valid-token-5678");
    }
    const usage = await run(["read", url]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/usage: crest-query read/);
  });
});
