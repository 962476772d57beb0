// The what-if HTML report (`rules whatif --html`, docs/whatif.md) in headless chromium: it renders
// from a file:// URL with no console or page error, its three charts are present and drawn (bars,
// waterfall steps, bands), its tables hold the figures, no request leaves the page (self-contained),
// and a screenshot is written.   node whatif_report.test.mjs REPORT.html SCREENSHOT.png
import { launch, assertNoProblems, runner } from './lib.mjs';

const [report, shot] = process.argv.slice(2);
const t = runner();
const browser = await launch();
try {
  const page = await browser.page();
  const requests = [];
  page.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });
  await t.step('the report renders', async () => {
    await page.goto('file://' + report, { waitUntil: 'load' });
    t.eq(await page.title(), '规则草案影响评估', 'title in Chinese');
    for (const id of ['chart-programmes', 'chart-waterfall', 'chart-bands']) {
      const box = await page.locator('#' + id).boundingBox();
      t.ok(box && box.width > 100 && box.height > 100, `chart ${id} is drawn (${JSON.stringify(box)})`);
    }
    t.ok(await page.locator('#chart-programmes rect.bar-draft').count() >= 10, 'a draft bar per programme');
    t.ok(await page.locator('#chart-waterfall rect.step').count() >= 3, 'waterfall: base, the changes, draft');
    t.eq(await page.locator('#chart-bands rect.band').count(), 5, 'five bands');
    t.ok((await page.locator('#programmes tr').count()) > 10, 'the programme table');
    t.ok((await page.locator('#budgets tr.over').count()) >= 1, 'an over-committed budget is marked');
    t.ok((await page.locator('#changed').innerText()).includes('参数 tech_buyer_rate 由 10% 改为 12%'), 'why in the changed table');
    t.eq(requests.length, 0, `no request leaves the page (${requests.join(', ')})`);
    if (shot) await page.screenshot({ path: shot, fullPage: true });
    assertNoProblems(browser, 'on the report');
  });
} finally {
  await browser.close();
}
process.exit(t.done('whatif report') ? 0 : 1);
