// Runs the frontend flow compiled from tests/tools/client/flow.ts (against the types generated from the served OpenAPI
// document) in Debian's chromium, from a page of the gateway's own origin, then tries GET /api/v1/me from the /docs
// UI after authorizing there with a token. Run by ClientFlowBrowserTests with node.
// Environment: BASE_URL, FLOW_DIR (holds flow.js), TOOLS_DIR, PROFILE_DIR, EMAIL, PASSWORD.
// Prints one line per step and the flow's report as `report: <json>`; exits 0 only when every check passed.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require(path.join(process.env.TOOLS_DIR, 'node_modules', 'playwright-core'));

const base = process.env.BASE_URL;
const timeout = 60000;

function step(message) {
  console.log(`step: ${message}`);
}

// The page and the modules are served by the browser's request interception at the gateway's origin (the gateway
// never sees these paths), so the flow's calls are same-origin, as from a frontend served beside the API.
const page = `<!doctype html>
<meta charset="utf-8">
<title>UserData client flow</title>
<script type="importmap">{"imports": {"openapi-fetch": "/__client/openapi-fetch.mjs"}}</script>
<script type="module">
  import { runFlow } from "/__client/flow.js";
  runFlow(location.origin, ${JSON.stringify(process.env.EMAIL)}, ${JSON.stringify(process.env.PASSWORD)})
    .then((report) => { window.flowReport = report; }, (error) => { window.flowError = String(error?.stack ?? error); });
</script>`;

const files = {
  '/__client/index.html': { type: 'text/html', body: page },
  '/__client/flow.js': { type: 'text/javascript', body: fs.readFileSync(path.join(process.env.FLOW_DIR, 'flow.js'), 'utf8') },
  '/__client/openapi-fetch.mjs': {
    type: 'text/javascript',
    body: fs.readFileSync(path.join(process.env.TOOLS_DIR, 'node_modules', 'openapi-fetch', 'dist', 'index.mjs'), 'utf8'),
  },
};

async function accessToken() {
  const email = `docs-${Date.now()}@example.com`;
  const response = await fetch(`${base}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password: process.env.PASSWORD }),
  });
  if (response.status !== 201) {
    throw new Error(`registering the /docs user gave ${response.status}`);
  }
  return { email, token: (await response.json()).data.access_token };
}

async function main() {
  const context = await chromium.launchPersistentContext(process.env.PROFILE_DIR, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    await context.route(`${base}/__client/**`, (route) => {
      const file = files[new URL(route.request().url()).pathname];
      return file ? route.fulfill({ status: 200, contentType: file.type, body: file.body }) : route.fulfill({ status: 404 });
    });
    const tab = context.pages()[0] ?? await context.newPage();
    const errors = [];
    tab.on('pageerror', (error) => errors.push(error.message));

    step('the flow runs in the page');
    await tab.goto(`${base}/__client/index.html`);
    await tab.waitForFunction(() => window.flowReport !== undefined || window.flowError !== undefined, null, { timeout });
    const failure = await tab.evaluate(() => window.flowError);
    if (failure) {
      throw new Error(`the flow failed in the browser: ${failure}`);
    }
    console.log(`report: ${JSON.stringify(await tab.evaluate(() => window.flowReport))}`);

    step('/docs authorizes with a bearer token and GET /api/v1/me can be tried');
    const { email, token } = await accessToken();
    await tab.goto(`${base}/docs/index.html`);
    await tab.click('.auth-wrapper button.authorize', { timeout });
    await tab.fill('.modal-ux input[type=text]', token);
    await tab.click('.modal-ux .auth-btn-wrapper button.authorize');
    await tab.click('.modal-ux button.btn-done');
    await tab.click('#operations-Profile-getProfile .opblock-summary-control');
    await tab.click('#operations-Profile-getProfile button.try-out__btn');
    await tab.click('#operations-Profile-getProfile button.execute');
    const status = tab.locator('#operations-Profile-getProfile .live-responses-table .response .response-col_status');
    await status.first().waitFor({ timeout });
    const answered = (await status.first().innerText()).trim();
    const body = await tab.locator('#operations-Profile-getProfile .live-responses-table tbody .response-col_description').first().innerText();
    if (answered !== '200' || !body.includes(email)) {
      throw new Error(`GET /api/v1/me from /docs answered ${answered}: ${body}`);
    }

    if (errors.length > 0) {
      throw new Error(`page errors: ${errors.join('; ')}`);
    }
    step('all checks passed');
  } finally {
    await context.close();
  }
}

main().catch((error) => {
  console.error(error?.stack ?? String(error));
  process.exit(1);
});
