// Headless Chromium (puppeteer-core, the system's chromium) loads a page from one origin that connects
// with socket.io-client over polling, credentials included, to the Socket.IO server on another port:
// from the allowed origin it connects and the server sees the page's cookie; from an origin the
// server does not allow, the browser refuses the response (a CORS error in the page's console) and
// the client gets connect_error. Prints "ALLOWED OK ..." and "REFUSED OK ...".
// usage: node cors-pages.js ALLOWED_PAGE_URL REFUSED_PAGE_URL CHROMIUM PROFILEDIR
const puppeteer = require('puppeteer-core');
const [allowedUrl, refusedUrl, chromium, userDataDir] = process.argv.slice(2);
const timer = setTimeout(() => { console.log('TIMEOUT'); process.exit(3); }, 40000);

(async () => {
  const browser = await puppeteer.launch({
    executablePath: chromium, headless: true, userDataDir,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  let ok = true;
  try {
    for (const [name, url] of [['allowed', allowedUrl], ['refused', refusedUrl]]) {
      const page = await browser.newPage();
      const consoleLines = [];
      page.on('console', (m) => consoleLines.push(m.text()));
      page.on('pageerror', (e) => consoleLines.push('page error: ' + e));
      page.on('requestfailed', (r) => consoleLines.push('request failed: ' + r.url() + ' ' + r.failure().errorText));
      await page.goto(url, { waitUntil: 'load' });
      await page.waitForFunction(() => window.outcome !== undefined, { timeout: 15000, polling: 100 });
      const outcome = await page.evaluate(() => window.outcome);
      if (name === 'allowed') {
        if (outcome.startsWith('connected; the server saw the cookie who=') ) {
          console.log('ALLOWED OK ' + outcome);
        } else {
          ok = false;
          console.log('FAIL allowed: ' + outcome + ' | console: ' + consoleLines.join(' / '));
        }
      } else {
        const cors = consoleLines.find((l) => /CORS policy/.test(l));
        if (outcome.startsWith('connect_error') && cors) {
          console.log('REFUSED OK ' + outcome + ' | ' + cors);
        } else {
          ok = false;
          console.log('FAIL refused: ' + outcome + ' | console: ' + consoleLines.join(' / '));
        }
      }
      await page.close();
    }
  } catch (e) {
    ok = false;
    console.log('FAIL ' + (e && e.stack || e));
  } finally {
    await browser.close();
    clearTimeout(timer);
  }
  process.exit(ok ? 0 : 1);
})();
