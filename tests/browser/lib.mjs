// Shared helpers of the browser tests (tests/browser/*.test.mjs, and any page check that needs a real
// browser, e.g. an HTML report): Debian's chromium driven headless by playwright-core — never a
// browser download — with the launch flags this closed network needs, and every console error and
// uncaught page error collected, so a test can require that a page raised none.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CHROMIUM = process.env.SUBSIDY_CHROMIUM || '/usr/bin/chromium';

// The flags: no sandbox (tests run as root), no GPU, and nothing that phones home (the network is
// closed: background networking, component updates, sync, QUIC), in a fresh profile.
export const LAUNCH_ARGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-default-apps', '--disable-extensions', '--metrics-recording-only', '--no-default-browser-check',
];

// A browser with a fresh profile (removed by close()). Options: { lang } (default zh-CN).
export async function launch(options = {}) {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (scripts/install-deps.sh)`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'subsidy-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: LAUNCH_ARGS,
    locale: options.lang || 'zh-CN',
    viewport: { width: 1280, height: 900 },
  });
  const problems = [];  // every console error and page error of every page of the context
  const watch = (page) => {
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error on ${page.url()}: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error on ${page.url()}: ${e.message}`));
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  return {
    context,
    problems,
    async page() { const p = context.pages()[0] || await context.newPage(); return p; },
    async newPage() { return context.newPage(); },
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

// Fails (throws) when any console error or page error was collected, listing them; then forgets them.
export function assertNoProblems(browser, where = '') {
  if (browser.problems.length) {
    const list = browser.problems.splice(0).join('\n  ');
    throw new Error(`console or page errors${where ? ' ' + where : ''}:\n  ${list}`);
  }
}

// A tiny test runner that prints TAP-like lines and the closing 'N passed, N failed' line.
export function runner() {
  let passed = 0, failed = 0;
  return {
    ok(cond, what) { if (cond) { passed++; } else { failed++; console.log(`not ok - ${what}`); } return !!cond; },
    eq(got, want, what) {
      const ok = got === want;
      if (ok) passed++; else { failed++; console.log(`not ok - ${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`); }
      return ok;
    },
    async step(name, fn) {
      try { await fn(); console.log(`ok - ${name}`); }
      catch (e) { failed++; console.log(`not ok - ${name}: ${e && e.stack ? e.stack : e}`); }
    },
    fail(what) { failed++; console.log(`not ok - ${what}`); },
    done(label) { console.log(`${label}: ${passed} passed, ${failed} failed`); return failed === 0; },
    get failed() { return failed; },
  };
}
