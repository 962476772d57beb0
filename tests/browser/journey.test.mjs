// The journey of issue 11 through the desk's pages (docs/officer.md; the page contract is
// /work/shared briefs' desk-contract, restated in docs/officer.md "Pages"), in headless chromium:
//   the county officer finds case CASE in the inbox and approves it with a note; the city officer
//   sees it and sends it back for correction; the applicant side corrects and resubmits; the city
//   approves (the budget is reserved); two bureaus' users vote in the joint review (会签); 公示 runs
//   out when the test rewrites the service's --today-file, and the timer moves the case; the
//   finance officer disburses; the budget page shows the consumption; the history every step.
// Negative: another county's officer neither sees the case nor can act on it (page and forged POST);
// the county officer cannot act at the city's stage (page and forged POST); a POST without the CSRF
// token is refused; the XSS probe (case XSS) renders as text; no console or page error anywhere.
// Screenshots of the inbox, case, budget and audit pages go to SHOTS/desk-*.png.
// Environment (tests/browser/journey_test.sh sets it): URL PASSWORD CASE XSS TODAY_FILE SHOTS.
import fs from 'node:fs';
import path from 'node:path';
import { launch, runner } from './lib.mjs';

const { URL: BASE, PASSWORD, CASE, XSS, TODAY_FILE, SHOTS } = process.env;
const t = runner();
const browser = await launch();
const page = await browser.page();
let dialogs = 0;
page.on('dialog', async (d) => { dialogs++; await d.dismiss(); });

const url = (p) => BASE + p;
// Every console or page error since the last check is a failure (recorded; the journey goes on).
const clean = (where) => {
  const p = browser.problems.splice(0);
  t.ok(p.length === 0, `no console or page errors ${where}${p.length ? ': ' + p.join(' | ') : ''}`);
};
async function login(user) {
  await page.context().clearCookies();
  await page.goto(url('/desk/login'));
  await page.fill('form#login input[name=user]', user);
  await page.fill('form#login input[name=password]', PASSWORD);
  await Promise.all([page.waitForURL(/\/desk\/inbox/), page.click('form#login [type=submit]')]);
  t.eq((await page.textContent('#user'))?.trim(), user, `${user}: the header names the user`);
}
async function csrf() { return page.getAttribute('input[name=csrf]', 'value'); }
// A POST from inside the page (same origin, the session cookie): its status and body; no redirects followed.
async function forge(p, fields) {
  return page.evaluate(async ([p, fields]) => {
    const r = await fetch(p, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
    return { status: r.status, type: r.type, text: await r.text() };
  }, [p, fields]);
}
async function stageOf(id) {
  await page.goto(url(`/desk/cases/${id}`));
  return page.getAttribute('figure#workflow .current', 'data-stage');
}
async function inboxIds() {
  return page.$$eval('table#inbox tr.case', (rows) => rows.map((r) => r.getAttribute('data-case-id')));
}
// Takes ACTION on the case page through its form, with the confirmation step (a confirm page or a
// <dialog>), and waits for the case page again.
async function act(id, action, note, extra = {}) {
  await page.goto(url(`/desk/cases/${id}`));
  const form = page.locator(`section#actions form.action:has(input[name=action][value="${action}"])`);
  if (!t.eq(await form.count(), 1, `case ${id}: one form for ${action}`)) return false;
  await form.locator('textarea[name=note]').fill(note);
  for (const [k, v] of Object.entries(extra)) await form.locator(`[name=${k}]`).fill(v);
  await form.locator('button[type=submit]').first().click();
  await page.waitForLoadState('load');
  const confirm = 'form:has(input[name=confirm][value="1"]) button[type=submit]';
  if (await page.locator(confirm).count()) {  // the confirmation page (the answer to the first POST)
    await Promise.all([page.waitForURL(new RegExp(`/desk/cases/${id}(\\?|#|$)`)), page.click(confirm)]);
  } else if (await page.locator('dialog[open]').count()) {
    await Promise.all([page.waitForURL(new RegExp(`/desk/cases/${id}(\\?|#|$)`)), page.click('dialog[open] button[type=submit]')]);
  } else {
    t.fail(`case ${id}: ${action} asked for no confirmation`);
  }
  await page.waitForLoadState('load');
  const refusal = await page.locator('p.refusal, .error').allTextContents();
  t.ok(refusal.length === 0, `case ${id}: ${action} taken without a refusal (${refusal.join(' | ')})`);
  clean(`after ${action}`);
  return true;
}
const shot = (name) => page.screenshot({ path: path.join(SHOTS, `desk-${name}.png`), fullPage: true });

await t.step('the county officer finds the case in the inbox and approves it with a note', async () => {
  await login('county');
  const ids = await inboxIds();
  t.ok(ids.includes(CASE), `the case ${CASE} is in the county inbox (${ids})`);
  t.ok(!ids.includes(XSS), 'the 五原县 probe case is not');
  const row = page.locator(`table#inbox tr.case[data-case-id="${CASE}"]`);
  t.ok((await row.locator('td.due').count()) === 1 && (await row.locator('td.days-left').count()) === 1, 'due date and days left');
  t.ok((await page.locator('ul#stage-counts li').count()) >= 1, 'counts per stage');
  await shot('inbox');
  await Promise.all([page.waitForURL(new RegExp(`/desk/cases/${CASE}`)), row.locator('a.case-link').click()]);
  for (const s of ['section#facts', 'section#decision', 'ol#history', 'figure#workflow svg', 'section#actions'])
    t.eq(await page.locator(s).count(), 1, `the case page has ${s}`);
  t.ok((await page.locator('section#decision li.req.ok').count()) > 0, 'requirements marked ✓');
  t.eq(await page.getAttribute('figure#workflow .current', 'data-stage'), 'county_review', 'the picture highlights county_review');
  clean('on the inbox and case pages');
  await act(CASE, 'approve', '材料齐全，同意推荐');
  t.eq(await stageOf(CASE), 'formal_review', 'the case is at the city\'s formal review');
});

await t.step('the county officer cannot act at the city\'s stage (page and forged POST), nor POST without CSRF', async () => {
  await page.goto(url(`/desk/cases/${CASE}`));
  t.eq(await page.locator('section#actions form.action:has(input[name=action][value="approve"])').count(), 0, 'no approve button for the county');
  const version = await page.getAttribute('section#actions input[name=version], form#correct input[name=version]', 'value').catch(() => null);
  const token = await csrf();
  const forged = await forge(`/desk/cases/${CASE}/act`, { action: 'approve', role: '旗县区科技局[临河区]', note: 'forged', version: version || '', confirm: '1', csrf: token });
  t.ok(forged.status === 403 || forged.status === 409, `a forged approve is refused (${forged.status})`);
  const nocsrf = await forge(`/desk/cases/${CASE}/act`, { action: 'approve', note: 'no token', version: version || '', confirm: '1' });
  t.eq(nocsrf.status, 403, 'a POST without the CSRF token: 403');
  t.ok(nocsrf.text.includes('CSRF'), 'that names CSRF');
  t.eq(await stageOf(CASE), 'formal_review', 'the case did not move');
  browser.problems.splice(0);  // the refused fetches log 403s in the console: expected here
});

await t.step('another county\'s officer neither sees the case nor can act on it', async () => {
  await login('wuyuan');
  t.ok(!(await inboxIds()).includes(CASE), 'not in the 五原县 inbox');
  const r = await page.goto(url(`/desk/cases/${CASE}`));
  t.eq(r.status(), 404, 'the case page is 404 for 五原县');
  await page.goto(url('/desk/inbox'));
  const forged = await forge(`/desk/cases/${CASE}/act`, { action: 'approve', note: 'forged', confirm: '1', csrf: await csrf() });
  t.ok(forged.status === 404 || forged.status === 403, `a forged POST is refused (${forged.status})`);
  browser.problems.splice(0);
});

await t.step('the city officer sees it and sends it back for correction', async () => {
  await login('city');
  t.ok((await inboxIds()).includes(CASE), 'the case is in the city inbox');
  await act(CASE, 'return', '请补充研发费用明细');
  t.eq(await stageOf(CASE), 'awaiting_correction', 'returned for correction');
});

await t.step('the applicant side corrects and resubmits', async () => {
  await login('applicant');
  await page.goto(url(`/desk/cases/${CASE}`));
  const form = page.locator('form#correct');
  t.eq(await form.count(), 1, 'a correction form');
  await form.locator('textarea[name=note]').fill('已补充研发费用明细').catch(() => {});
  await Promise.all([page.waitForURL(new RegExp(`/desk/cases/${CASE}`)), form.locator('[type=submit]').first().click()]);
  t.eq(await page.locator('p.refusal, .error').count(), 0, 'the correction is accepted');
  await act(CASE, 'resubmit', '补正后重新提交');
  t.eq(await stageOf(CASE), 'formal_review', 'back at the formal review');
});

await t.step('the city approves; two bureaus vote in the joint review', async () => {
  await login('city');
  await act(CASE, 'approve', '核验通过');
  t.eq(await stageOf(CASE), 'joint_review', 'at the joint review');
  await login('nongmu');
  t.ok((await inboxIds()).includes(CASE), 'in the 市农牧局 inbox');
  await page.goto(url(`/desk/cases/${CASE}`));
  t.eq(await page.locator('section#joint').count(), 1, 'the case page shows the 会签');
  await act(CASE, 'approve', '农牧局同意');
  await login('finance');
  await act(CASE, 'approve', '财政局同意');
  t.eq(await stageOf(CASE), 'publicity', 'in 公示');
  t.ok((await page.textContent('section#timer')).includes('2024-09-11'), 'the timer names the last day of 公示');
  await shot('case');
});

await t.step('公示 runs out and the timer moves the case', async () => {
  fs.writeFileSync(TODAY_FILE, '2024-09-20\n');
  let stage = '';
  for (let i = 0; i < 40 && stage !== 'disbursement'; i++) {
    await new Promise((r) => setTimeout(r, 250));
    stage = await stageOf(CASE);
  }
  t.eq(stage, 'disbursement', 'the timer moved it to disbursement');
});

await t.step('the finance officer disburses; the budget page shows the consumption', async () => {
  await login('finance');
  await act(CASE, 'disburse', '已拨付');
  t.eq(await stageOf(CASE), 'disbursed', 'disbursed');
  const history = await page.locator('ol#history li.event').allTextContents();
  t.ok(history.length >= 10, `the history has every step (${history.length} events)`);
  for (const note of ['材料齐全，同意推荐', '请补充研发费用明细', '核验通过', '农牧局同意', '财政局同意', '已拨付'])
    t.ok(history.some((h) => h.includes(note)), `the history shows "${note}"`);
  const exported = await page.request.get(url(`/desk/cases/${CASE}/history.json`));
  t.eq(exported.status(), 200, 'the history export');
  await page.goto(url('/desk/budgets?year=2024'));
  const row = page.locator('table#budgets tr.budget[data-programme="R01"][data-year="2024"]');
  t.eq(await row.count(), 1, 'the R01 2024 budget row');
  t.ok((await page.locator('div.bar').count()) >= 1, 'a bar per budget');
  const consumed = Number(await row.locator('div.bar').getAttribute('data-consumed'));
  t.ok(consumed > 0, `the bar shows what the payment consumed (${consumed} 分)`);
  await shot('budgets');
  clean('on the budget page');
});

await t.step('the audit page verifies the chains', async () => {
  await login('auditor');
  await page.goto(url('/desk/audit'));
  await Promise.all([page.waitForLoadState('load'), page.click('form#verify [type=submit]')]);
  await page.waitForSelector('#audit-result');
  t.eq(await page.locator('#audit-result.clean').count(), 1, 'the chains are clean');
  await shot('audit');
  clean('on the audit page');
});

await t.step('the XSS probe renders as text', async () => {
  await login('city');
  await page.goto(url('/desk/inbox?closed=1'));
  const html = await page.content();
  t.ok(!html.includes('<script>alert(1)</script>'), 'no live script element from the applicant');
  t.ok(!/<img src="?x"? onerror/.test(html), 'no live img from the application id');
  await page.goto(url(`/desk/cases/${XSS}`));
  const text = await page.textContent('body');
  t.ok(text.includes('<script>alert(1)</script>') || text.includes('XSS-<img src=x onerror=alert(1)>'), 'the markup shows as text');
  t.eq(dialogs, 0, 'no alert ran');
  clean('on the probe\'s pages');
});

await t.step('English', async () => {
  await page.goto(url('/desk/inbox?lang=en'));
  t.ok((await page.locator('a.lang-switch').count()) >= 1, 'a language switch');
  clean('in English');
});

await browser.close();
process.exit(t.done('browser.journey') ? 0 : 1);
