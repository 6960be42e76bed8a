// Drives Debian's chromium through the Orleans Dashboard at /dashboard (run by DashboardBrowserTests with node).
// Environment: CHROMIUM (its path), BASE_URL, ADMIN_EMAIL, ADMIN_PASSWORD, USER_EMAIL, USER_PASSWORD, SCREENSHOT, TOOLS_DIR,
// MIN_SILOS (the silos the cluster has, default 1).
// Prints one line per step; exits 0 only when every check passed.
'use strict';

const path = require('node:path');
const { chromium } = require(path.join(process.env.TOOLS_DIR, 'node_modules', 'playwright-core'));

const base = process.env.BASE_URL;
const timeout = 30000;
const minSilos = Number(process.env.MIN_SILOS ?? '1');
// The data routes the page calls (everything it fetches but the page, its script, style, fonts and images).
const dataRoute = /\/dashboard\/(version|DashboardCounters|ClusterStats|Reminders|HistoricalStats|SiloProperties|SiloMetadata|SiloStats|SiloCounters|GrainStats|TopGrainMethods|GrainState|LifecycleStages|GrainTypes|Trace)\b/;

function step(message) {
  console.log(`step: ${message}`);
}

function check(condition, message) {
  if (!condition) { throw new Error(message); }
}

async function api(method, route, body, token) {
  const response = await fetch(base + route, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, body: await response.json().catch(() => null) };
}

// Real traffic through the API: new users (new grain activations), writes, reads and 404s.
async function traffic(round) {
  for (let i = 0; i < 5; i++) {
    const registered = await api('POST', '/api/v1/auth/register', { email: `traffic-${round}-${i}-${Date.now()}@example.com`, password: 'traffic password' });
    check(registered.status === 201, `registering a traffic user gave ${registered.status}`);
    const token = registered.body.data.access_token;
    await api('POST', '/api/v1/me/tasks', { name: `task ${round}-${i}` }, token);
    await api('GET', '/api/v1/me', null, token);
    await api('GET', '/api/v1/me/tasks/does-not-exist', null, token);
  }
}

// Every response of the context, to check what reached the page, not only what it shows.
function recordResponses(context) {
  const responses = [];
  context.on('response', (response) => responses.push({ url: response.url(), status: response.status() }));
  return responses;
}

async function newContext(browser) {
  return browser.newContext({ viewport: { width: 1400, height: 1100 } });
}

async function signIn(page, email, password) {
  await page.goto(`${base}/dashboard`);
  check(new URL(page.url()).pathname === '/dashboard/signin', `an anonymous visit to /dashboard landed on ${page.url()}`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('#sign-in button[type=submit]')]);
}

// A data route opened in the browser (the sign-in form's Content-Security-Policy lets no script of it fetch anything).
async function openInBrowser(page, route) {
  const response = await page.goto(`${base}${route}`);
  return { status: response.status(), body: await response.text() };
}

async function expectNoData(page, responses, who) {
  for (const route of ['/dashboard/DashboardCounters', '/dashboard/GrainTypes', '/dashboard/ClusterStats']) {
    const reply = await openInBrowser(page, route);
    check(reply.status === 401, `${who}: ${route} gave ${reply.status}`);
    const body = JSON.parse(reply.body);
    check(body.error?.code === 'UNAUTHENTICATED' && body.data === undefined && !reply.body.includes('siloAddress'), `${who}: ${route} answered ${reply.body}`);
  }
  const leaked = responses.filter((response) => dataRoute.test(response.url) && response.status < 400);
  check(leaked.length === 0, `${who} received data: ${JSON.stringify(leaked)}`);
}

// The number of an overview or silos page counter box, by its title (textContent: the title is shown upper-case by CSS).
const counter = (page, title) => page.evaluate((wanted) => {
  const box = [...document.querySelectorAll('.info-box')]
    .find((candidate) => candidate.querySelector('.info-box-text')?.textContent.trim().toLowerCase() === wanted);
  return box ? Number(box.querySelector('.info-box-number').textContent.replace(/[^0-9.]/g, '')) : null;
}, title.toLowerCase());

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    step('an anonymous browser is sent to the sign-in form and gets no data');
    const anonymous = await newContext(browser);
    const anonymousResponses = recordResponses(anonymous);
    const anonymousPage = await anonymous.newPage();
    await anonymousPage.goto(`${base}/dashboard/`);
    check(new URL(anonymousPage.url()).pathname === '/dashboard/signin', `the anonymous page is ${anonymousPage.url()}`);
    await expectNoData(anonymousPage, anonymousResponses, 'an anonymous browser');
    await anonymous.close();

    step('a user without the admin role is refused, told how the role is given, and gets no data');
    const user = await newContext(browser);
    const userResponses = recordResponses(user);
    const userPage = await user.newPage();
    await signIn(userPage, process.env.USER_EMAIL, process.env.USER_PASSWORD);
    const refusal = await userPage.locator('#message').innerText();
    check(refusal.includes('Bootstrap__AdminEmails'), `the refusal says: ${refusal}`);
    check(!(await user.cookies()).some((cookie) => cookie.name === 'userdata-dashboard'), 'a non-admin got the dashboard cookie');
    await userPage.goto(`${base}/dashboard/`);
    check(new URL(userPage.url()).pathname === '/dashboard/signin', `the non-admin's page is ${userPage.url()}`);
    await expectNoData(userPage, userResponses, 'a non-admin browser');
    await user.close();

    step('an admin signs in and gets an HttpOnly, SameSite=Strict cookie for /dashboard');
    await traffic(0);
    const admin = await newContext(browser);
    const adminResponses = recordResponses(admin);
    const page = await admin.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await signIn(page, process.env.ADMIN_EMAIL, process.env.ADMIN_PASSWORD);
    check(new URL(page.url()).pathname === '/dashboard/', `the admin landed on ${page.url()}`);
    const cookie = (await admin.cookies()).find((candidate) => candidate.name === 'userdata-dashboard');
    check(cookie && cookie.httpOnly && cookie.sameSite === 'Strict' && cookie.path === '/dashboard', `the cookie is ${JSON.stringify(cookie)}`);

    step(`${minSilos}+ active silos appear`);
    await page.waitForFunction(() => document.querySelectorAll('.info-box').length >= 2, null, { timeout });
    await page.goto(`${base}/dashboard/#/silos`);
    await page.waitForFunction((count) => {
      const rows = [...document.querySelectorAll('.card table.table tbody tr')].filter((row) => /^\d+\.\d+\.\d+\.\d+:\d+@\d+$/.test(row.cells[0]?.innerText ?? ''));
      return rows.length >= count && rows.every((row) => row.innerText.includes('Active'));
    }, minSilos, { timeout });
    check((await counter(page, 'Active Silos')) >= minSilos, 'the Active Silos counter is below the silos listed');
    console.log(`silos: ${(await page.locator('.card table.table tbody').first().innerText()).replace(/\s+/g, ' ')}`);

    step('grain types appear');
    await page.goto(`${base}/dashboard/#/grains`);
    await page.waitForFunction(() => /\bUserGrain\b/.test(document.querySelector('#content').innerText)
      && /\bEmailGrain\b/.test(document.querySelector('#content').innerText), null, { timeout });

    step('live counters change after traffic');
    await page.goto(`${base}/dashboard/#/`);
    await page.waitForFunction(() => /Total Activations/i.test(document.querySelector('#content').innerText), null, { timeout });
    const activationsBefore = await counter(page, 'Total Activations');
    await traffic(1);
    await page.waitForFunction(
      (before) => {
        const box = [...document.querySelectorAll('.info-box')].find((candidate) => /total activations/i.test(candidate.textContent));
        return Number(box.querySelector('.info-box-number').textContent.replace(/[^0-9.]/g, '')) > before;
      },
      activationsBefore,
      { timeout });
    const activationsAfter = await counter(page, 'Total Activations');
    console.log(`total activations: ${activationsBefore} -> ${activationsAfter}`);
    await page.waitForFunction(() => /UserGrain/.test(document.querySelector('#content').innerText), null, { timeout });
    await page.screenshot({ path: process.env.SCREENSHOT, fullPage: true });
    step(`screenshot written to ${process.env.SCREENSHOT}`);

    const dataCalls = adminResponses.filter((response) => dataRoute.test(response.url));
    check(dataCalls.length > 0 && dataCalls.every((response) => response.status === 200), `the admin's data calls: ${JSON.stringify(dataCalls.filter((response) => response.status !== 200))}`);

    step('sign-out ends the admin session');
    await page.goto(`${base}/dashboard/signout`);
    await Promise.all([page.waitForNavigation(), page.click('#sign-out button[type=submit]')]);
    check(!(await admin.cookies()).some((candidate) => candidate.name === 'userdata-dashboard'), 'the cookie is still there after sign-out');
    await page.goto(`${base}/dashboard/`);
    check(new URL(page.url()).pathname === '/dashboard/signin', `after sign-out the page is ${page.url()}`);
    // The Orleans Dashboard's own script: logged for the reader, its render races are not this product's checks.
    if (errors.length > 0) { console.log(`page errors: ${errors.join(' | ')}`); }
    await admin.close();
    step('all checks passed');
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(`FAILED: ${error.stack ?? error}`);
  process.exit(1);
});
