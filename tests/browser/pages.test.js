// Every page of every site: valid HTML, zero axe violations, no sideways scrolling at 320 px,
// no CSP violation, no cookie, no storage and no request to anything but the local server.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { HtmlValidate } from "html-validate";
import { axe, buildSite, horizontalOverflow, launch, newContext, serve } from "./helpers.js";

const validator = new HtmlValidate({
  extends: ["html-validate:recommended"],
  rules: {
    // The issue requires the quick-exit control to be `<a role="button">`: a link, so that it
    // still leaves when JavaScript is off, announced as the button it acts as.
    "prefer-native-element": ["error", { exclude: ["button"] }],
    // Heading ids follow GitHub's style (`1-required-information`), which HTML allows; the rule's
    // strict mode only guards against ids that are awkward in CSS selectors.
    "valid-id": ["error", { relaxed: true }],
    // Titles are "page - site name"; public bodies have long names, and WCAG asks for
    // descriptive titles, not short ones. This is a search-engine hint, not a validity rule.
    "long-title": "off",
    // `<br/>` in an author's raw HTML is valid HTML5; this rule is about house style only.
    "void-style": "off",
  },
});

/**
 * Which viewports and colour schemes each site is checked in: the full matrix on the example
 * site, both widths and both schemes on the fixture, one width on the large real corpus (its
 * pages use the same templates), which keeps the suite within its time budget.
 */
const MATRIX = {
  example: [[1280, "light"], [1280, "dark"], [320, "light"], [320, "dark"]],
  awkward: [[1280, "dark"], [320, "light"]],
  github: [[1280, "light"]],
};

for (const name of Object.keys(MATRIX)) {
  const totals = { pages: 0, checks: 0, violations: 0 };
  describe(`every page of the ${name} site`, () => {
    let site, server, browser;
    before(async () => {
      site = buildSite(name);
      server = await serve(site);
      browser = await launch();
    });
    after(async () => {
      await browser?.close();
      await server?.close();
      console.log(`${name}: ${totals.pages} pages, ${totals.checks} page checks, ${totals.violations} axe violations`);
    });

    test("html-validate finds no errors", async () => {
      const problems = [];
      for (const page of site.pages) {
        const relative = page.slice(site.prefix.length);
        const file = path.join(site.dir, relative.endsWith(".html") ? relative : relative + "index.html");
        const report = await validator.validateString(fs.readFileSync(file, "utf8"), file);
        for (const m of report.results.flatMap((r) => r.messages)) problems.push(`${page}:${m.line} ${m.ruleId} ${m.message}`);
      }
      assert.ok(site.pages.length >= 10, `only ${site.pages.length} pages found`);
      assert.deepEqual(problems, []);
    });

    for (const [width, scheme] of MATRIX[name]) {
      test(`axe, CSP, overflow and privacy at ${width} px, ${scheme}`, async () => {
        const { context, log } = await newContext(browser, server, site, { viewport: { width, height: 800 }, colorScheme: scheme });
        const page = await context.newPage();
        const violations = [];
        const overflow = [];
        for (const pagePath of site.pages) {
          await page.goto(server.url(pagePath));
          const storage = await page.evaluate(() => localStorage.length + sessionStorage.length);
          assert.equal(storage, 0, `${pagePath}: storage is not empty before a choice`);
          for (const v of await axe(page)) violations.push(`${pagePath}: ${v}`);
          const sideways = await horizontalOverflow(page);
          if (sideways > 0) overflow.push(`${pagePath}: ${sideways}px`);
          totals.checks += 1;
        }
        totals.pages = Math.max(totals.pages, site.pages.length);
        totals.violations += violations.length;
        assert.deepEqual(violations, []);
        assert.deepEqual(overflow, [], "the page scrolls sideways");
        assert.deepEqual(log.csp, [], "a Content-Security-Policy violation fired");
        assert.deepEqual(log.foreign, [], "a request left the local server");
        assert.deepEqual(log.exits, []);
        assert.deepEqual(await context.cookies(), []);
        await context.close();
      });
    }
  });
}
