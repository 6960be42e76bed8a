// Drives Debian's chromium through the operator dashboard (run by DashboardBrowserTests with node).
// Environment: BASE_URL, ADMIN_EMAIL, ADMIN_PASSWORD, USER_EMAIL, USER_PASSWORD, SCREENSHOT, TOOLS_DIR, PROFILE_DIR,
// MIN_SILOS (the silos the cluster has, default 1).
// Prints one line per step; exits 0 only when every check passed.
'use strict';

const path = require('node:path');
const { chromium } = require(path.join(process.env.TOOLS_DIR, 'node_modules', 'playwright-core'));

const base = process.env.BASE_URL;
const timeout = 30000;
const minSilos = Number(process.env.MIN_SILOS ?? '1');

function step(message) {
  console.log(`step: ${message}`);
}

async function api(method, route, body, token) {
  const response = await fetch(base + route, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, body: await response.json().catch(() => null) };
}

// Real traffic through the API: the user's grain, storage writes and reads, several HTTP statuses.
async function traffic(round) {
  const login = await api('POST', '/api/v1/auth/login', { email: process.env.USER_EMAIL, password: process.env.USER_PASSWORD });
  if (login.status !== 200) { throw new Error(`user login gave ${login.status}`); }
  const token = login.body.data.access_token;
  for (let i = 0; i < 5; i++) {
    await api('POST', '/api/v1/me/tasks', { name: `task ${round}-${i}` }, token);
    await api('GET', '/api/v1/me', null, token);
    await api('GET', '/api/v1/me/tasks/does-not-exist', null, token);
  }
  await api('POST', '/api/v1/me/results', null, token);
}

async function signIn(page, email, password) {
  await page.goto(`${base}/dashboard`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.click('#login-form button[type=submit]');
}

const text = (page, selector) => page.locator(selector).innerText();

async function main() {
  const context = await chromium.launchPersistentContext(process.env.PROFILE_DIR, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 1500 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = context.pages()[0] ?? await context.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => { if (message.type() === 'error') { errors.push(message.text()); } });

    step('admin signs in');
    await traffic(0);
    await signIn(page, process.env.ADMIN_EMAIL, process.env.ADMIN_PASSWORD);
    await page.waitForSelector('#board:not([hidden])', { timeout });

    step(`${minSilos}+ silos appear, each Active with heartbeat age, CPU and memory`);
    // Columns: address, status, heartbeat age, CPU, memory, GC heap, activations, up since.
    await page.waitForFunction((count) => {
      const rows = [...document.querySelectorAll('#silos tbody tr')].map((row) => [...row.cells].map((cell) => cell.innerText));
      return rows.length >= count && rows.every((cells) => cells[1] === 'Active' && /^\d+\.\d s$/.test(cells[2])
        && /^\d+\.\d%$/.test(cells[3]) && /^\d+(\.\d+)? [MG]iB$/.test(cells[4]) && /^\d+(\.\d+)? [MG]iB$/.test(cells[5]));
    }, minSilos, { timeout });
    const silosBefore = await text(page, '#silos tbody');
    console.log(`silos:\n${silosBefore}`);

    step('silo figures update live');
    await page.waitForFunction((before) => document.querySelector('#silos tbody').innerText !== before, silosBefore, { timeout });

    step('grain types appear');
    await page.waitForFunction(() => /\buser\b/.test(document.querySelector('#grain-types tbody').innerText), null, { timeout });
    await page.waitForFunction(() => document.querySelector('#grain-methods tbody tr') !== null && document.querySelector('#storage tbody tr') !== null, null, { timeout });

    step('live numbers change after traffic');
    const totalBefore = Number((await text(page, '#tile-total')).replace(/,/g, ''));
    const httpBefore = await text(page, '#http tbody');
    await traffic(1);
    await page.waitForFunction(
      (before) => Number(document.querySelector('#tile-total').innerText.replace(/,/g, '')) > before,
      totalBefore,
      { timeout });
    await page.waitForFunction((before) => document.querySelector('#http tbody').innerText !== before, httpBefore, { timeout });
    // Rates need two polls after the traffic: wait for a non-zero grain call rate.
    await page.waitForFunction(() => Number(document.querySelector('#tile-calls').innerText) > 0, null, { timeout });
    const totalAfter = Number((await text(page, '#tile-total')).replace(/,/g, ''));
    console.log(`grain calls total: ${totalBefore} -> ${totalAfter}`);
    if (!(await text(page, '#http tbody')).includes('404')) { throw new Error('the HTTP status mix does not show the 404s'); }

    // A few more polls so the charts have a trend to show in the screenshot.
    await page.waitForFunction(() => trend.calls.length >= 4, null, { timeout });
    await page.screenshot({ path: process.env.SCREENSHOT, fullPage: true });
    step(`screenshot written to ${process.env.SCREENSHOT}`);

    step('a non-admin cannot see the data');
    const userPage = await context.newPage();
    await userPage.evaluate(() => sessionStorage.clear()).catch(() => {});
    await signIn(userPage, process.env.USER_EMAIL, process.env.USER_PASSWORD);
    await userPage.waitForFunction(() => document.querySelector('#error').innerText.includes('Forbidden'), null, { timeout });
    if (await userPage.locator('#board').isVisible()) { throw new Error('the board is visible to a non-admin'); }
    if ((await userPage.locator('#grain-types tbody tr').count()) > 0) { throw new Error('grain data reached a non-admin page'); }
    const userLogin = await api('POST', '/api/v1/auth/login', { email: process.env.USER_EMAIL, password: process.env.USER_PASSWORD });
    const asUser = await api('GET', '/api/v1/admin/dashboard/snapshot', null, userLogin.body.data.access_token);
    const anonymous = await api('GET', '/api/v1/admin/dashboard/snapshot');
    if (asUser.status !== 403 || anonymous.status !== 401) { throw new Error(`snapshot gave ${asUser.status} to a user and ${anonymous.status} without a token`); }

    if (errors.length > 0) { throw new Error(`the page reported errors: ${errors.join(' | ')}`); }
    step('all checks passed');
  } finally {
    await context.close();
  }
}

main().catch((error) => {
  console.error(`FAILED: ${error.stack ?? error}`);
  process.exit(1);
});
