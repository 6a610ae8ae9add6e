// Two pages of headless Chromium (puppeteer-core, the system's chromium) open the rooms example,
// join the room "lobby" and each says something; each must see the other's message. Screenshots go
// to OUTDIR; Chromium's profile goes to PROFILEDIR (made and deleted by the caller, so that nothing is
// left behind even when this script is killed).
// usage: node two-pages.js URL CHROMIUM OUTDIR PROFILEDIR   exit status 0 when both saw both messages.
const puppeteer = require('puppeteer-core');
const fs = require('fs');
const [url, chromium, outDir, userDataDir] = process.argv.slice(2);
const timer = setTimeout(() => { console.log('TIMEOUT'); process.exit(3); }, 40000); // before the test's own 60 s

(async () => {
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    userDataDir,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  let ok = false;
  const pages = [];
  try {
    pages.push(await browser.newPage(), await browser.newPage());
    const names = ['alice', 'bob'];
    for (let i = 0; i < 2; i++) {
      const p = pages[i];
      p.on('console', (m) => console.log('page ' + names[i] + ': ' + m.text()));
      p.on('requestfailed', (r) => console.log('request failed ' + names[i] + ': ' + r.url() + ' ' + r.failure().errorText));
      p.on('response', (r) => { if (r.status() >= 400) console.log('response ' + names[i] + ': ' + r.status() + ' ' + r.url()); });
      p.on('pageerror', (e) => console.log('page error ' + names[i] + ': ' + e));
      await p.goto(url, { waitUntil: 'load' });
      console.log(names[i] + ' loaded the page');
      await p.waitForFunction(() => document.getElementById('status').textContent.startsWith('connected as'), { timeout: 10000, polling: 100 });
      console.log(names[i] + ' connected');
      // values set and buttons clicked in the page (typing needs focus, which only one of two tabs has)
      await p.evaluate((n) => {
        document.getElementById('nick').value = n;
        document.getElementById('room').value = 'lobby';
        document.getElementById('join').click();
      }, names[i]);
      await p.waitForFunction(() => document.getElementById('status').textContent.startsWith('joined lobby'), { timeout: 10000, polling: 100 });
    }
    for (let i = 0; i < 2; i++) {
      await pages[i].evaluate((t) => {
        document.getElementById('text').value = t;
        document.getElementById('send').click();
      }, 'hello from ' + names[i]);
      console.log(names[i] + ' said hello');
    }
    for (let i = 0; i < 2; i++) {
      const other = names[1 - i];
      await pages[i].waitForFunction((o) => document.getElementById('log').textContent.includes('[lobby] ' + o + ': hello from ' + o),
        { timeout: 10000, polling: 100 }, other);
      const transport = await pages[i].evaluate(() => document.getElementById('status').textContent);
      console.log(names[i] + ' saw ' + other + "'s message (" + transport + ')');
      await pages[i].bringToFront(); // a background tab may never render a frame to capture
      await pages[i].screenshot({ path: outDir + '/rooms-' + names[i] + '.png' });
    }
    ok = true;
  } catch (e) {
    console.log('FAIL ' + (e && e.stack || e));
    for (const p of pages) {
      try {
        console.log('page state: ' + await p.evaluate(() => document.getElementById('status').textContent + ' | '
          + document.getElementById('log').textContent));
      } catch (ignored) { /* a blank page */ }
    }
  } finally {
    await browser.close();
    clearTimeout(timer);
  }
  console.log(ok ? 'BOTH OK' : 'FAILED');
  process.exit(ok ? 0 : 1);
})();
