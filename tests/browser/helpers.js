// Shared by the browser suite: builds sites with the release binary, serves them with the
// headers the build wrote to `_headers`, and drives Debian's Chromium through playwright-core.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { createRequire } from "node:module";

const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, "../..");
// `scripts/test` names the binary it built; run alone, the suite uses a release build.
const binary = process.env.PRIVACY_SITE_BIN
  ? path.resolve(repo, process.env.PRIVACY_SITE_BIN)
  : path.join(process.env.CARGO_TARGET_DIR || path.join(repo, "target"), "release", "privacy-site");

/** The sites the suite proves, with the build flags each needs. */
export const SITES = {
  example: { content: path.join(repo, "content"), flags: [] },
  awkward: { content: path.join(repo, "tests/fixtures/browser/awkward"), flags: ["--drafts"] },
  github: { content: path.resolve(repo, "../shared/corpora/github-privacy-statement/content"), flags: ["--broken-links", "warn"] },
};

export const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];

/** Builds a site into a fresh temporary folder and reads back what the server needs. */
export function buildSite(name) {
  const site = SITES[name];
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `privacy-site-browser-${name}-`));
  const dir = path.join(out, "site");
  execFileSync(binary, ["build", "--content", site.content, "--out", dir, "--today", "2026-11-22", ...site.flags], { stdio: ["ignore", "ignore", "pipe"] });
  // Read back from the output rather than site.yaml: the first `_headers` rule is `<prefix>*`,
  // and every page links to the exit site.
  const headers = parseHeaders(fs.readFileSync(path.join(dir, "_headers"), "utf8"));
  const prefix = headers[0].pattern.replace(/\*$/, "");
  const index = fs.readFileSync(path.join(dir, "index.html"), "utf8");
  const exitUrl = index.match(/<a class="quick-exit" role="button" href="([^"]+)"/)[1].replaceAll("&amp;", "&");
  return { name, dir, prefix, exitUrl, headers, pages: listPages(dir, prefix) };
}

/** `_headers` (Netlify/Cloudflare format) as [{pattern, headers}] in file order. */
export function parseHeaders(text) {
  const rules = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    if (!/^\s/.test(line)) rules.push({ pattern: line.trim(), headers: {} });
    else {
      const [name, ...value] = line.trim().split(":");
      rules.at(-1).headers[name.trim()] = value.join(":").trim();
    }
  }
  return rules;
}

/** Every HTML page the build wrote, as its URL path under the prefix. */
function listPages(dir, prefix) {
  const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : e.name.endsWith(".html") ? [path.join(d, e.name)] : []));
  return walk(dir)
    .map((file) => prefix + path.relative(dir, file).split(path.sep).join("/").replace(/(^|\/)index\.html$/, "$1"))
    .sort();
}

const TYPES = { ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml", ".xml": "application/xml", ".json": "application/json", ".txt": "text/plain" };

/** A static server that maps the site's path prefix to the output folder and sends `_headers`. */
export async function serve(site) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://localhost");
    const headers = {};
    for (const rule of site.headers) {
      const matches = rule.pattern.endsWith("*") ? url.pathname.startsWith(rule.pattern.slice(0, -1)) : url.pathname === rule.pattern;
      if (matches) Object.assign(headers, rule.headers);
    }
    let status = 200;
    let file = null;
    if (url.pathname.startsWith(site.prefix)) {
      const relative = decodeURIComponent(url.pathname.slice(site.prefix.length));
      const candidate = path.join(site.dir, relative.endsWith("/") || relative === "" ? relative + "index.html" : relative);
      if (candidate.startsWith(site.dir) && fs.existsSync(candidate) && fs.statSync(candidate).isFile()) file = candidate;
    }
    if (!file) {
      status = 404;
      file = path.join(site.dir, "404.html");
    }
    res.writeHead(status, { ...headers, "Content-Type": TYPES[path.extname(file)] || "application/octet-stream" });
    res.end(fs.readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return { origin, url: (p) => origin + p, close: () => new Promise((resolve) => server.close(resolve)) };
}

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    // Playwright gives every launch a fresh temporary user-data-dir.
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** Gated third-party scripts the fixture declares, answered locally. */
const GATED = { "https://chat.widgets.example/widget.js": 'document.documentElement.setAttribute("data-chat-ran", "yes");' };

/**
 * A browser context that never reaches the network: requests to the local server go through,
 * the exit target and declared gated scripts are answered locally and logged, anything else is
 * aborted and logged as foreign. CSP violations are collected on every page.
 */
export async function newContext(browser, server, site, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  const log = { exits: [], gated: [], foreign: [], csp: [] };
  await context.route(
    (url) => url.origin !== server.origin,
    async (route) => {
      const request = route.request();
      const url = request.url();
      if (url.startsWith(site.exitUrl.replace(/\/$/, ""))) {
        log.exits.push({ url, referer: request.headers().referer ?? null });
        await route.fulfill({ status: 200, contentType: "text/html", body: "<!DOCTYPE html><title>Weather</title><p>Weather</p>" });
      } else if (GATED[url]) {
        log.gated.push(url);
        await route.fulfill({ status: 200, contentType: "text/javascript", body: GATED[url] });
      } else {
        log.foreign.push(url);
        await route.abort();
      }
    },
  );
  await context.addInitScript({ content: axeSource });
  await context.exposeBinding("__reportCsp", (_source, violation) => log.csp.push(violation));
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__reportCsp(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  context.on("console", (message) => {
    if (/Content.Security.Policy/i.test(message.text())) log.csp.push(message.text());
  });
  return { context, log };
}

/**
 * axe-core's source, as @axe-core/playwright ships it. It is added to every page as an init script
 * (which the page's CSP does not govern) rather than injected per check, which halves the
 * suite's time on a busy machine.
 */
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** axe results as short strings, so a failure message says what and where. */
export async function axe(page) {
  const results = await page.evaluate((tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }), AXE_TAGS);
  return results.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(" ")} — ${n.failureSummary?.split("\n")[1]?.trim() ?? v.help}`));
}

/** Whether the page scrolls sideways (content wider than the viewport). */
export function horizontalOverflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}
