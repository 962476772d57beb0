// The rules page of policy staff (/desk/rules, docs/service.md "The desk") in headless chromium:
// the policy user logs in, finds the 规则 link, pastes a draft of R10 (rate 10% → 12%), sees the diff
// with its location, opens the what-if report in a new tab (it renders, charts drawn), and publishes
// a draft the rule tests pass with through the confirmation page; no console or page error anywhere.
//   URL=… PASSWORD=… DRAFT=file PASSING=file node rules_page.test.mjs
import fs from 'node:fs';
import { launch, assertNoProblems, runner } from './lib.mjs';

const { URL: BASE, PASSWORD, DRAFT, PASSING, SHOTS } = process.env;
const url = (p) => BASE + p;
const t = runner();
const browser = await launch();
try {
  const page = await browser.page();
  await t.step('the policy user logs in and finds the rules page', async () => {
    await page.goto(url('/desk/login'));
    await page.fill('form#login input[name=user]', 'policy');
    await page.fill('form#login input[name=password]', PASSWORD);
    await Promise.all([page.waitForURL(/\/desk\//), page.click('form#login [type=submit]')]);
    await page.goto(url('/desk/rules'));
    t.ok(await page.locator('#nav-rules').count() === 1, 'the nav link 规则');
    t.ok(await page.locator('#versions').count() === 1, 'the versions');
    assertNoProblems(browser, 'on /desk/rules');
  });
  await t.step('the diff of a pasted draft', async () => {
    await page.selectOption('select#path', 'programs/r10_tech_buyer.rules');
    await page.fill('textarea#text', fs.readFileSync(DRAFT, 'utf8'));
    await Promise.all([page.waitForURL(/\/desk\/rules\/diff/), page.click('#do-diff')]);
    const diff = await page.locator('#diff').innerText();
    t.ok(diff.includes('tech_buyer_rate from 2021-11-17'), 'the changed parameter value');
    t.ok(diff.includes('programs/r10_tech_buyer.rules:'), 'with its location');
    if (SHOTS) await page.screenshot({ path: SHOTS + '/desk-rules.png', fullPage: true });
    assertNoProblems(browser, 'on the diff');
  });
  await t.step('the what-if report opens in a new tab', async () => {
    await page.fill('input#as_of', '2024-09-04');
    await page.selectOption('select#stage', 'all');
    const [report] = await Promise.all([browser.context.waitForEvent('page'), page.click('#do-whatif')]);
    await report.waitForLoadState('load');
    t.ok(await report.locator('#chart-programmes').count() === 1, 'the programme chart');
    t.ok(await report.locator('#chart-waterfall').count() === 1, 'the waterfall');
    await report.close();
    assertNoProblems(browser, 'on the report');
  });
  await t.step('publishing asks for a confirmation, then serves the version', async () => {
    await page.fill('textarea#text', fs.readFileSync(PASSING, 'utf8'));  // the 12% draft fails R10's tests
    await Promise.all([page.waitForURL(/\/desk\/rules\/publish/), page.click('#do-publish')]);
    t.ok(await page.locator('#confirm-publish').count() === 1, 'the confirmation');
    await page.fill('input#note', '2025 年度');
    await Promise.all([page.waitForURL(/published=1/), page.click('#confirm-publish')]);
    t.ok((await page.locator('#published').innerText()).includes('1'), 'version 1 published');
    t.ok(await page.locator('tr.version[data-version="1"]').count() === 1, 'listed');
    assertNoProblems(browser, 'after publishing');
  });
} finally {
  await browser.close();
}
process.exit(t.done('rules page') ? 0 : 1);
