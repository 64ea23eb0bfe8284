import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { playgroundHtml } from "../scripts/playground-build.js";
import { compileFilter, encodeQueryFilter, FilterSyntaxError, formatFilter, parseFilter } from "../src/index.js";

// Drives the built playground in a real, headless Chromium: Debian's `chromium` package (CI installs
// it). Without it these tests skip, and say so.
const chromiumPath = [process.env["CHROMIUM_PATH"], "/usr/bin/chromium", "/usr/bin/chromium-browser"].find(
  (p): p is string => p !== undefined && p !== "" && existsSync(p),
);
if (chromiumPath === undefined) {
  console.warn("browser tests SKIPPED: no Chromium found at /usr/bin/chromium (apt-get install chromium, or set CHROMIUM_PATH)");
}

const users = JSON.parse(readFileSync(new URL("../examples/users.json", import.meta.url), "utf8")) as unknown[];
const countMatches = (text: string, caseSensitive = false): number => users.filter(compileFilter(parseFilter(text), { caseSensitive })).length;

describe.skipIf(chromiumPath === undefined)("playground in Chromium (skipped without /usr/bin/chromium)", () => {
  let browser: Browser;
  let dir: string;
  let pageUrl: string;
  const problems: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "crest-playground-"));
    writeFileSync(join(dir, "index.html"), await playgroundHtml());
    pageUrl = pathToFileURL(join(dir, "index.html")).href;
    browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
    // Every page opened by every test: no request left the file, nothing went to the console as an error.
    expect(requests).toEqual([]);
    expect(problems).toEqual([]);
  });

  async function open(hash = "", width = 1280): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    await page.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith("file:")) return route.continue();
      requests.push(url);
      return route.abort();
    });
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    await page.goto(pageUrl + hash);
    await page.waitForSelector("html[data-ready='true']");
    return page;
  }

  const text = (page: Page, id: string): Promise<string> => page.getByTestId(id).innerText();

  async function typeFilter(page: Page, filter: string): Promise<void> {
    const input = page.getByTestId("filter-input");
    await input.click();
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.press("Backspace");
    // Typed key by key, as a person does; close-brackets must not double the quotes we type.
    await page.keyboard.type(filter, { delay: 5 });
    await page.keyboard.press("Escape"); // close the completion list, if open
  }

  it("shows canonical form, encoding, tree and builder code for a typed filter", async () => {
    const page = await open();
    const filter = "/sn eq 'Smith' AND /loginCount ge 10";
    await typeFilter(page, filter);
    expect(await page.getByTestId("filter-input").innerText()).toBe(filter);
    const canonical = formatFilter(parseFilter(filter));
    await expect.poll(() => text(page, "canonical")).toBe(canonical);
    expect(await text(page, "encoded")).toBe(encodeQueryFilter(parseFilter(filter)));
    expect(await text(page, "match-count")).toBe(String(countMatches(filter)));
    expect(await text(page, "ast")).toContain("/loginCount ge 10");
    expect(await text(page, "builder-code")).toContain('field("/sn").eq("Smith")');
    expect(await page.getByTestId("error").isHidden()).toBe(true);
    await page.close();
  }, 60_000);

  it("counts what the evaluator counts, for several filters and with case", async () => {
    const filters = [
      '/accountStatus eq "active" and /loginCount gt 100',
      '/roles/_refResourceId eq "helpdesk" or !(/mail pr)',
      '/postalAddress/city co "kyo"',
      "/mfaEnabled eq true and /telephoneNumber pr",
      '/sn eq "smith"',
      "false",
    ];
    const page = await open();
    for (const filter of filters) {
      await page.evaluate(`location.hash = ${JSON.stringify(`#filter=${encodeURIComponent(filter)}`)}`);
      await expect.poll(() => text(page, "canonical")).toBe(formatFilter(parseFilter(filter)));
      expect(await text(page, "match-count"), filter).toBe(String(countMatches(filter)));
    }
    await page.getByLabel("Case-sensitive").check();
    await expect.poll(() => text(page, "match-count")).toBe(String(countMatches('/sn eq "smith"', true)));
    expect(countMatches('/sn eq "smith"', true)).not.toBe(countMatches('/sn eq "smith"'));
    await page.close();
  }, 60_000);

  it("decodes a pasted URL into the filter and takes its other parameters", async () => {
    const page = await open();
    const url = "https://idm.example.com/openidm/managed/alpha_user?_queryFilter=%2FgivenName%20sw%20%22A%22%20and%20%2FloginCount%20gt%2050&_sortKeys=-loginCount&_pageSize=10";
    await page.getByTestId("filter-input").click();
    await page.keyboard.press("ControlOrMeta+a");
    // A real paste event, as the browser fires it for Ctrl+V, carrying the URL as plain text.
    await page.evaluate(`(() => {
      const data = new DataTransfer();
      data.setData("text/plain", ${JSON.stringify(url)});
      const event = new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true });
      document.querySelector('[data-testid="filter-input"]').dispatchEvent(event);
    })()`);
    const filter = '/givenName sw "A" and /loginCount gt 50';
    await expect.poll(() => page.getByTestId("filter-input").innerText()).toBe(filter);
    expect(await text(page, "canonical")).toBe(filter);
    expect(await text(page, "match-count")).toBe(String(countMatches(filter)));
    expect(await page.locator("#sort").inputValue()).toBe("-loginCount");
    expect(await page.locator("#size").inputValue()).toBe("10");
    expect(await page.locator("table.matches tbody tr").count()).toBe(10);
    expect(await text(page, "input-note")).toMatch(/Decoded/);
    await page.keyboard.press("ControlOrMeta+z");
    await expect.poll(() => page.getByTestId("filter-input").innerText()).toBe(url);
    await page.close();
  }, 60_000);

  it("recognises a typed encoded value", async () => {
    const page = await open();
    await typeFilter(page, "%2Fsn+eq+%22Brown%22");
    await expect.poll(() => text(page, "canonical")).toBe('/sn eq "Brown"');
    expect(await text(page, "input-note")).toMatch(/encoded _queryFilter value/);
    await page.close();
  }, 60_000);

  it("shows an error with its caret and hint, and marks it in the editor", async () => {
    const page = await open();
    const bad = "/givenName eq 'Ann' and /sn";
    await typeFilter(page, bad);
    expect(await page.getByTestId("filter-input").innerText()).toBe(bad);
    const expected = (() => {
      try {
        parseFilter(bad);
      } catch (e) {
        return e as FilterSyntaxError;
      }
      throw new Error("expected a syntax error");
    })();
    expect(expected).toBeInstanceOf(FilterSyntaxError);
    await expect.poll(() => page.getByTestId("error").isVisible()).toBe(true);
    expect(await text(page, "error-caret")).toBe(expected.caret);
    expect(await text(page, "error")).toContain(expected.problem);
    expect(await text(page, "canonical")).toBe("—");
    // The editor's own diagnostic: a lint mark at the error.
    await page.waitForSelector(".cm-lintRange-error, .cm-lintPoint-error", { state: "attached", timeout: 10_000 });
    await page.close();
  }, 60_000);

  it("underlines a lint warning in the editor and lists it", async () => {
    const page = await open();
    await typeFilter(page, '/mail ne "x"');
    const range = page.locator(".cm-lintRange-warning");
    await range.first().waitFor({ timeout: 10_000 });
    expect(await range.first().innerText()).toBe("ne");
    expect(await text(page, "warnings")).toContain("suspicious-operator");
    await page.close();
  }, 60_000);

  it("offers completions of fields from the sample data and of operators", async () => {
    const page = await open();
    await page.getByTestId("filter-input").click();
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.type("/postalAddress/ci", { delay: 5 });
    await page.keyboard.press("Control+Space");
    await expect.poll(() => page.locator(".cm-tooltip-autocomplete").innerText()).toContain("/postalAddress/city");
    await page.keyboard.press("Enter");
    await page.keyboard.type(" ", { delay: 5 });
    await expect.poll(() => page.locator(".cm-tooltip-autocomplete").innerText()).toContain("co");
    await page.close();
  }, 60_000);

  it("keeps its state in the hash: a link reproduces the page", async () => {
    const page = await open();
    await typeFilter(page, "/loginCount gt 200");
    await page.locator("#sort").fill("-loginCount");
    await page.locator("#fields").fill("userName,loginCount");
    await page.getByRole("button", { name: "Next page" }).click();
    const hash = (await page.evaluate("location.hash")) as string;
    expect(hash).toContain("page=2");
    const firstRow = await page.locator("table.matches tbody tr").first().innerText();
    await page.close();

    const again = await open(hash);
    expect(await again.getByTestId("filter-input").innerText()).toBe("/loginCount gt 200");
    expect(await again.locator("#sort").inputValue()).toBe("-loginCount");
    expect(await again.locator("#fields").inputValue()).toBe("userName,loginCount");
    expect(await text(again, "match-count")).toBe(String(countMatches("/loginCount gt 200")));
    expect(await again.locator("table.matches tbody tr").first().innerText()).toBe(firstRow);
    expect(await again.getByTestId("page-info").innerText()).toMatch(/page 2 of/);
    await again.close();
  }, 60_000);

  it("fits phone and desktop widths without sideways scrolling (screenshots in the temp folder)", async () => {
    for (const width of [390, 1280]) {
      const page = await open(`#filter=${encodeURIComponent('/roles/_refResourceId eq "helpdesk" or !(/mail pr)')}`, width);
      const overflow = (await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")) as number;
      expect(overflow, `width ${width}`).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(process.env["PLAYGROUND_SHOTS"] ?? dir, `playground-${width}.png`), fullPage: true });
      await page.close();
    }
  }, 60_000);
});
