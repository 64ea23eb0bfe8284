import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, describe, expect, it } from "vitest";
import { CLI, serveCli, stopServe } from "./helpers/cli.js";

// `crest-query serve` as a real process: several collections with slashes, persistence, auth.

const cli = CLI;
const dir = mkdtempSync(join(tmpdir(), "crest-serve-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { ...process.env, NO_COLOR: "" };

const serve = (args: string[], urls: number) => serveCli(args, { cwd: dir, urls });
const stop = stopServe;

describe("crest-query serve", () => {
  it("serves several collections named with slashes, persists changes across a restart", async () => {
    writeFileSync(join(dir, "users.json"), JSON.stringify([{ _id: "u1", sn: "One" }]));
    writeFileSync(join(dir, "accounts.json"), JSON.stringify({ result: [{ _id: "a1" }] }));
    const args = ["--collection", "managed/alpha_user=users.json", "--collection", "system/ldap/account=accounts.json", "--base-path", "/openidm", "--persist", "state.json"];
    const first = await serve(args, 2);
    expect(first.urls).toHaveLength(2);
    expect(first.urls[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/openidm\/managed\/alpha_user$/);
    expect(first.urls[1]).toMatch(/\/openidm\/system\/ldap\/account$/);
    const created = await fetch(first.urls[0] as string, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ _id: "u2", sn: "Two" }) });
    expect(created.status).toBe(201);
    expect(await stop(first)).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "state.json"), "utf8")).collections["managed/alpha_user"]).toHaveLength(2);

    const second = await serve(args, 2);
    const back = await fetch(`${second.urls[0]}/u2`);
    expect(((await back.json()) as { sn: string }).sn).toBe("Two");
    expect(await stop(second)).toBe(0);
  });

  it("with --token and --service-account: 401 without a token, the token endpoint printed and working", async () => {
    const { privateKey } = await generateKeyPair("RS256", { extractable: true });
    writeFileSync(join(dir, "key.jwk"), JSON.stringify(await exportJWK(privateKey)));
    writeFileSync(join(dir, "people.json"), JSON.stringify([{ _id: "p1" }]));
    const started = await serve(["--data", "people.json", "--token", "t-one", "--service-account", "sa-9=key.jwk"], 1);
    try {
      const url = started.urls[0] as string;
      expect((await fetch(`${url}/p1`)).status).toBe(401);
      expect((await fetch(`${url}/p1`, { headers: { authorization: "Bearer t-one" } })).status).toBe(200);
      const endpoint = /token endpoint (\S+)/.exec(started.stderr())?.[1] ?? "";
      expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/am\/oauth2\/access_token$/);
      expect(started.stderr()).not.toContain("t-one");
      const jwt = await new SignJWT({ jti: "j1" })
        .setProtectedHeader({ alg: "RS256" })
        .setIssuer("sa-9")
        .setSubject("sa-9")
        .setAudience(endpoint)
        .setExpirationTime("10m")
        .sign(privateKey);
      const r = await fetch(endpoint, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", client_id: "service-account", assertion: jwt, scope: "fr:idm:*" }),
      });
      const token = ((await r.json()) as { access_token: string }).access_token;
      expect((await fetch(`${url}/p1`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    } finally {
      await stop(started);
    }
  });

  it("says plainly what is wrong with its arguments", () => {
    const bad = (args: string[]) => spawnSync(process.execPath, [cli, "serve", ...args], { cwd: dir, env, encoding: "utf8", timeout: 20_000 });
    const noKey = bad(["--service-account", "sa=missing.jwk"]);
    expect(noKey.status).not.toBe(0);
    expect(noKey.stderr).toMatch(/sa: cannot read a JSON Web Key from .*missing\.jwk/);
    const badName = bad(["--collection", "a//b=people.json"]);
    expect(badName.stderr).toMatch(/not a collection name/);
    const noEquals = bad(["--service-account", "sa"]);
    expect(noEquals.stderr).toMatch(/ID=JWKFILE/);
  });
});
