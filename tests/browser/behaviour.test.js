// Consent, quick exit, keyboard, no-JavaScript and zoom behaviour, in a real browser, on the
// fixture site (deep path prefix, gated local and https scripts) and the example site.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { axe, buildSite, horizontalOverflow, launch, newContext, serve } from "./helpers.js";

const KEY = "privacy-site-consent";
const MATRIX = [[1280, "light"], [1280, "dark"], [320, "light"], [320, "dark"]];
const states = { checked: 0, violations: 0 };

let site, server, browser;
before(async () => {
  site = buildSite("awkward");
  server = await serve(site);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
  console.log(`states: ${states.checked} state checks, ${states.violations} violations`);
});

const page1 = () => server.url(`${site.prefix}data-sharing/2025-01-01/`);
const settings = () => server.url(`${site.prefix}cookie-settings/`);

async function open(options = {}) {
  const { context, log } = await newContext(browser, server, site, options);
  const page = await context.newPage();
  return { context, log, page };
}

async function finish({ context, log }) {
  assert.deepEqual(log.csp, [], "a Content-Security-Policy violation fired");
  assert.deepEqual(log.foreign, [], "a request left the local server");
  assert.deepEqual(await context.cookies(), [], "a cookie was set");
  await context.close();
}

async function axeState(page, label) {
  const violations = await axe(page);
  states.checked += 1;
  states.violations += violations.length;
  assert.deepEqual(violations, [], label);
}

describe("consent", () => {
  test("banner, confirmation and settings pass axe in every width and scheme", async () => {
    for (const [width, scheme] of MATRIX) {
      const session = await open({ viewport: { width, height: 800 }, colorScheme: scheme });
      const { page } = session;
      await page.goto(page1());
      const banner = page.getByRole("region", { name: "Optional features on this website" });
      await banner.waitFor();
      await axeState(page, `banner at ${width} ${scheme}`);
      await page.getByRole("button", { name: "Reject optional features" }).click();
      await axeState(page, `confirmation at ${width} ${scheme}`);
      await page.goto(settings());
      await axeState(page, `settings at ${width} ${scheme}`);
      await page.getByRole("button", { name: "Save cookie settings" }).click();
      await axeState(page, `settings saved at ${width} ${scheme}`);
      await finish(session);
    }
  });

  test("banner comes before the skip link, is not sticky, and its buttons weigh the same", async () => {
    const session = await open();
    const { page } = session;
    await page.goto(page1());
    const banner = page.locator("[data-consent-banner]");
    await banner.waitFor();
    const order = await page.evaluate(() => {
      const b = document.querySelector("[data-consent-banner]");
      const skip = document.querySelector('a[href="#main-content"]');
      return b.compareDocumentPosition(skip) & Node.DOCUMENT_POSITION_FOLLOWING;
    });
    assert.ok(order, "banner is not before the skip link");
    assert.equal(await banner.evaluate((b) => getComputedStyle(b).position), "static");
    const [accept, reject] = await Promise.all(["accept", "reject"].map((c) => page.locator(`[data-consent-choice="${c}"]`).evaluate((b) => {
      const s = getComputedStyle(b);
      return [s.fontSize, s.fontWeight, s.backgroundColor, s.color, s.borderWidth, s.paddingTop].join(" ");
    })));
    assert.equal(accept, reject);
    assert.equal(await page.evaluate(() => localStorage.length + sessionStorage.length), 0, "storage before a choice");
    await finish(session);
  });

  test("accepting stores one record, moves focus to the confirmation and loads gated scripts", async () => {
    const session = await open();
    const { page, log } = session;
    await page.goto(page1());
    assert.equal(await page.locator("html").getAttribute("data-counter-ran"), null);
    await page.getByRole("button", { name: "Accept optional features" }).click();
    const focused = await page.evaluate(() => document.activeElement.matches("[data-consent-confirmation]") && document.activeElement.getAttribute("tabindex"));
    assert.equal(focused, "-1");
    const record = JSON.parse(await page.evaluate((k) => localStorage.getItem(k), KEY));
    assert.deepEqual(record.choices, { counting: true, chat: true });
    assert.match(record.version, /^[0-9a-f]{16}$/);
    assert.ok(!Number.isNaN(Date.parse(record.savedAt)));
    assert.equal(await page.evaluate(() => localStorage.length), 1);
    await page.waitForFunction(() => document.documentElement.dataset.counterRan === "yes" && document.documentElement.dataset.chatRan === "yes");
    assert.deepEqual(log.gated, ["https://chat.widgets.example/widget.js"]);
    // On the next page: no banner, scripts load straight away.
    await page.goto(server.url(site.prefix));
    assert.equal(await page.locator("[data-consent-banner]").isHidden(), true);
    await page.waitForFunction(() => document.documentElement.dataset.counterRan === "yes");
    await finish(session);
  });

  test("withdrawing on the settings page stops the scripts on later pages", async () => {
    const session = await open();
    const { page, log } = session;
    await page.goto(page1());
    await page.getByRole("button", { name: "Accept optional features" }).click();
    await page.goto(settings());
    assert.equal(await page.locator("#consent-chat-yes").isChecked(), true);
    await page.locator("#consent-chat-no").check();
    await page.getByRole("button", { name: "Save cookie settings" }).click();
    assert.equal(await page.evaluate(() => document.activeElement.matches("[data-consent-saved]")), true);
    const before = log.gated.length;
    await page.goto(page1());
    await page.waitForFunction(() => document.documentElement.dataset.counterRan === "yes");
    assert.equal(await page.locator("html").getAttribute("data-chat-ran"), null);
    assert.equal(log.gated.length, before, "the withdrawn script was requested again");
    assert.equal(await page.locator('script[src*="chat.widgets"]').count(), 0);
    await finish(session);
  });

  test("radios default to No and nothing is stored until Save", async () => {
    const session = await open();
    const { page } = session;
    await page.goto(settings());
    for (const id of ["counting", "chat"]) assert.equal(await page.locator(`#consent-${id}-no`).isChecked(), true);
    await page.locator("#consent-counting-yes").check();
    assert.equal(await page.evaluate(() => localStorage.length), 0);
    await page.getByRole("button", { name: "Save cookie settings" }).click();
    const record = JSON.parse(await page.evaluate((k) => localStorage.getItem(k), KEY));
    assert.deepEqual(record.choices, { counting: true, chat: false });
    await finish(session);
  });

  test("a record for other categories is ignored and the visitor is asked again", async () => {
    const session = await open();
    const { page } = session;
    await page.goto(page1());
    await page.evaluate((k) => localStorage.setItem(k, JSON.stringify({ choices: { counting: true, chat: true }, version: "0000000000000000", savedAt: new Date().toISOString() })), KEY);
    await page.reload();
    await page.locator("[data-consent-banner]").waitFor();
    assert.equal(await page.locator("html").getAttribute("data-counter-ran"), null);
    await finish(session);
  });

  test("Global Privacy Control switches optional features off without asking; an explicit Yes overrides it", async () => {
    const session = await open();
    const { page } = session;
    await page.addInitScript(() => Object.defineProperty(Navigator.prototype, "globalPrivacyControl", { get: () => true }));
    await page.goto(page1());
    assert.equal(await page.locator("[data-consent-banner]").isHidden(), true);
    assert.equal(await page.locator("html").getAttribute("data-counter-ran"), null);
    await page.goto(settings());
    assert.equal(await page.locator("[data-consent-gpc]").isVisible(), true);
    await axeState(page, "settings with GPC");
    await page.locator("#consent-counting-yes").check();
    await page.getByRole("button", { name: "Save cookie settings" }).click();
    await page.goto(page1());
    await page.waitForFunction(() => document.documentElement.dataset.counterRan === "yes");
    assert.equal(await page.locator("html").getAttribute("data-chat-ran"), null);
    await finish(session);
  });
});

describe("quick exit", () => {
  async function expectExit(session, action) {
    const { page, log } = session;
    await page.goto(server.url(site.prefix));
    await page.goto(page1());
    await page.locator("[data-consent-banner]").waitFor();
    const navigation = page.waitForURL(site.exitUrl);
    await action(page);
    await navigation;
    assert.equal(log.exits.length, 1);
    assert.equal(log.exits[0].referer, null, "a Referer was sent to the exit site");
    // location.replace: Back skips the page the visitor left.
    await page.goBack();
    assert.equal(page.url(), server.url(site.prefix));
  }

  test("the sticky control leaves on click, Enter and Space", async () => {
    for (const action of [
      (p) => p.locator(".quick-exit-bar [data-quick-exit]").click(),
      async (p) => { await p.locator(".quick-exit-bar [data-quick-exit]").focus(); await p.keyboard.press("Enter"); },
      async (p) => { await p.locator(".quick-exit-bar [data-quick-exit]").focus(); await p.keyboard.press(" "); },
    ]) {
      const session = await open();
      await expectExit(session, action);
      await finish(session);
    }
  });

  test("the second skip link leaves", async () => {
    const session = await open();
    await expectExit(session, async (p) => {
      await p.locator("[data-consent-choice=reject]").focus();
      // Banner: Accept, Reject, settings link; then the two skip links.
      await p.keyboard.press("Tab");
      await p.keyboard.press("Tab");
      await p.keyboard.press("Tab");
      assert.equal(await p.evaluate(() => document.activeElement.textContent.trim()), "Leave this page now");
      await p.keyboard.press("Enter");
    });
    await finish(session);
  });

  test("Shift three times leaves, after announcing the presses left", async () => {
    const session = await open();
    await expectExit(session, async (p) => {
      await p.keyboard.press("Shift");
      assert.equal(await p.getByRole("status").textContent(), "Shift, press 2 more times to exit.");
      await p.keyboard.press("Shift");
      assert.equal(await p.getByRole("status").textContent(), "Shift, press 1 more time to exit.");
      await p.keyboard.press("Shift");
    });
    await finish(session);
  });

  test("another key, Shift with another key, or a gap over 5 s resets the count", async () => {
    const session = await open();
    const { page, log } = session;
    await page.clock.install();
    await page.goto(page1());
    await page.keyboard.press("Shift");
    await page.keyboard.press("Shift");
    await page.keyboard.press("a");
    assert.equal(await page.getByRole("status").textContent(), "");
    await page.keyboard.press("Shift");
    await page.keyboard.press("Shift+KeyA");
    await page.keyboard.press("Shift");
    assert.equal(await page.getByRole("status").textContent(), "Shift, press 2 more times to exit.");
    await page.clock.fastForward(5100);
    await page.keyboard.press("Shift");
    await page.keyboard.press("Shift");
    assert.equal(await page.getByRole("status").textContent(), "Shift, press 1 more time to exit.");
    assert.equal(log.exits.length, 0);
    await finish(session);
  });

  test("the overlay and the announcement pass axe; pageshow from the cache resets them", async () => {
    for (const [width, scheme] of MATRIX) {
      const session = await open({ viewport: { width, height: 800 }, colorScheme: scheme });
      const { page } = session;
      // The exit site answers 204 No Content, so the browser stays and the overlay can be checked.
      await session.context.unrouteAll();
      await session.context.route((url) => url.origin !== server.origin, (route) => route.fulfill({ status: 204 }));
      await page.goto(page1());
      await page.keyboard.press("Shift");
      await axeState(page, `Shift announcement at ${width} ${scheme}`);
      await page.evaluate(() => document.querySelector(".quick-exit-bar [data-quick-exit]").click());
      const alert = page.getByRole("alert");
      assert.equal(await alert.textContent(), "Loading");
      assert.equal(await page.locator("main").isHidden(), true);
      assert.equal(await page.locator(".quick-exit-bar").isHidden(), true);
      await axeState(page, `overlay at ${width} ${scheme}`);
      await page.evaluate(() => window.dispatchEvent(new PageTransitionEvent("pageshow", { persisted: true })));
      assert.equal(await page.locator("main").isVisible(), true);
      assert.equal(await alert.textContent(), "");
      await page.close();
      await session.context.close();
    }
  });
});

describe("keyboard", () => {
  for (const width of [1280, 320]) {
    test(`every control is reachable with a visible focus the sticky bar never hides, at ${width} px`, async () => {
      const session = await open({ viewport: { width, height: 600 } });
      const { page } = session;
      // The changes page adds folded <details>, a scrolling table region and change links.
      const changes = server.url(`${site.prefix}data-sharing/2025-01-01/changes/`);
      for (const path of [page1(), settings(), server.url(`${site.prefix}glossary/`), changes]) {
        await page.goto(path);
        await page.locator("[data-consent-banner]").or(page.locator("[data-consent-form]")).first().waitFor();
        const expected = await page.evaluate(() =>
          [...document.querySelectorAll('a[href], button, input, summary, [tabindex="0"]')].filter((e) => e.checkVisibility() && !(e.type === "radio" && !e.checked)).length);
        const seen = new Set();
        const problems = [];
        for (let i = 0; i < expected + 10; i++) {
          await page.keyboard.press("Tab");
          const info = await page.evaluate(() => {
            const e = document.activeElement;
            if (!e || e === document.body) return null;
            const style = getComputedStyle(e);
            const bar = document.querySelector(".quick-exit-bar").getBoundingClientRect();
            const r = e.getBoundingClientRect();
            const inBar = e.closest(".quick-exit-bar") !== null;
            // Entirely covered by the bar (WCAG 2.4.11 asks for "not entirely hidden").
            // What is painted at the element's centre: the bar, if it covers the element.
            const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            const hidden = !inBar && r.top >= bar.top && r.bottom <= bar.bottom && top !== null && top.closest(".quick-exit-bar") !== null;
            const offscreen = r.bottom <= 0 || r.top >= innerHeight;
            if (!e.dataset.id) e.dataset.id = Math.random().toString(36).slice(2);
            return { id: e.dataset.id, name: e.outerHTML.slice(0, 80), hidden, offscreen, focusRing: style.outlineStyle !== "none" || style.boxShadow !== "none" };
          });
          if (!info) break;
          if (seen.has(info.id)) break;
          seen.add(info.id);
          if (info.hidden) problems.push(`hidden under the sticky bar: ${info.name}`);
          if (info.offscreen) problems.push(`off screen: ${info.name}`);
          if (!info.focusRing) problems.push(`no visible focus: ${info.name}`);
        }
        assert.deepEqual(problems, [], path);
        assert.ok(seen.size >= expected, `${path}: reached ${seen.size} of ${expected} controls`);
        // Shift+Tab back up the page: focus must still clear the bar.
        for (let i = 0; i < Math.min(seen.size, 15); i++) {
          await page.keyboard.press("Shift+Tab");
          const hidden = await page.evaluate(() => {
            const e = document.activeElement;
            const bar = document.querySelector(".quick-exit-bar").getBoundingClientRect();
            const r = e.getBoundingClientRect();
            const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            return e.closest(".quick-exit-bar") === null && e !== document.body && r.top >= bar.top && r.bottom <= bar.bottom && top !== null && top.closest(".quick-exit-bar") !== null;
          });
          assert.equal(hidden, false, `${path}: Shift+Tab focus hidden under the bar`);
        }
      }
      await finish(session);
    });
  }

  test("the skip link moves focus to the main content", async () => {
    const session = await open();
    const { page } = session;
    await page.goto(page1());
    await page.locator('a[href="#main-content"]').focus();
    assert.equal(await page.locator('a[href="#main-content"]').isVisible(), true);
    await page.keyboard.press("Enter");
    assert.equal(await page.evaluate(() => document.activeElement.id), "main-content");
    await finish(session);
  });
});

describe("without JavaScript", () => {
  test("pages are readable, there is no banner, quick exit still leaves and the settings page explains", async () => {
    const session = await open({ javaScriptEnabled: false });
    const { page, log } = session;
    for (const path of site.pages) {
      await page.goto(server.url(path));
      assert.ok((await page.locator("main").innerText()).length > 40, `${path} has no readable text`);
      assert.equal(await page.locator("[data-consent-banner]").isVisible(), false);
    }
    await page.goto(settings());
    assert.match(await page.locator("main").innerText(), /JavaScript is off in your browser, so none of the optional features/);
    assert.equal(await page.locator("[data-consent-form]").isVisible(), false);
    await page.locator(".quick-exit-bar [data-quick-exit]").click();
    await page.waitForURL(site.exitUrl);
    assert.equal(log.exits[0].referer, null);
    await finish(session);
  });
});

describe("zoom and text size", () => {
  for (const [label, options] of [
    ["200% zoom (640 px at 2×)", { viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 }],
    ["400% zoom (320 px at 4×)", { viewport: { width: 320, height: 200 }, deviceScaleFactor: 4 }],
    ["text size 200% at 1280 px", { viewport: { width: 1280, height: 800 }, fontSize: 32 }],
  ]) {
    test(`${label}: no sideways scrolling, no overlap with the sticky bar`, async () => {
      const { fontSize, ...contextOptions } = options;
      const session = await open(contextOptions);
      const { page } = session;
      if (fontSize) {
        const cdp = await session.context.newCDPSession(page);
        await cdp.send("Page.setFontSizes", { fontSizes: { standard: fontSize, fixed: fontSize } });
      }
      for (const path of site.pages) {
        await page.goto(server.url(path));
        assert.ok((await horizontalOverflow(page)) <= 0, `${path} scrolls sideways`);
        const clipped = await page.evaluate(() => {
          const bar = document.querySelector(".quick-exit-bar").getBoundingClientRect();
          const words = [...document.querySelectorAll("main p, main li, main h1, main h2, main h3, main td, main th")]
            .filter((e) => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === "visible" && e.closest(".table-scroll, pre") === null);
          return { barShare: bar.height / innerHeight, clipped: words.map((e) => e.outerHTML.slice(0, 60)) };
        });
        assert.ok(clipped.barShare <= 0.5, `${path}: the sticky bar covers ${Math.round(clipped.barShare * 100)}% of the screen`);
        assert.deepEqual(clipped.clipped, [], `${path}: text overflows its box`);
      }
      await finish(session);
    });
  }
});
