// GraphiQL as a client developer meets it, in Debian's headless Chromium, with every request
// to anything but the service refused (a machine without internet): the page loads from the
// binary, a demo token goes into the Headers tab, the README's query runs and answers, the
// schema loads into the documentation explorer, and autocompletion offers the schema's fields.
//
//   node graphiql.mjs http://127.0.0.1:8080 <token> [screenshot.png]
import { chromium } from 'playwright-core';

const [base, token, screenshot] = process.argv.slice(2);
if (!base || !token) {
  console.error('usage: node graphiql.mjs <base URL> <token> [screenshot.png]');
  process.exit(2);
}
const origin = new URL(base).origin;
const fail = (message) => {
  console.error(`GraphiQL check failed: ${message}`);
  process.exitCode = 1;
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run',
  ],
});
try {
  const page = await browser.newPage();
  const outside = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith('data:')) return route.continue();
    outside.push(url);
    return route.abort();
  });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));

  await page.goto(`${base}/graphql`, { waitUntil: 'load' });
  await page.waitForSelector('.graphiql-container', { timeout: 30_000 });

  // The Headers tab, as a developer pastes the token printed by `cargo run`.
  await page.getByRole('button', { name: 'Headers' }).click();
  const headers = JSON.stringify({ Authorization: `Bearer ${token}` }, null, 2);
  await page.evaluate((text) => {
    const editor = document.querySelector('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror')
      ?? [...document.querySelectorAll('.graphiql-editor-tool .CodeMirror')].pop();
    editor.CodeMirror.setValue(text);
  }, headers);

  // The README's query.
  const query = '{ structures { edges { node { name kind } } } }';
  await page.evaluate((text) => {
    document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(text);
  }, query);
  await page.locator('.graphiql-execute-button').click();
  const answer = await page.waitForFunction(() => {
    const editor = document.querySelector('.graphiql-response .CodeMirror');
    const text = editor?.CodeMirror.getValue() ?? '';
    return text.includes('"data"') || text.includes('"errors"') ? text : null;
  }, null, { timeout: 30_000 });
  const body = JSON.parse(await answer.jsonValue());
  const names = (body.data?.structures?.edges ?? []).map((e) => e.node.name);
  if (body.errors || names.length === 0) fail(`the README's query answered ${JSON.stringify(body)}`);
  else console.log(`query answered: ${names.length} structures (${names.slice(0, 3).join(', ')}, …)`);

  // The schema, fetched again with the token, in the documentation explorer.
  await page.getByRole('button', { name: /Re-fetch GraphQL schema/i }).click();
  await page.getByRole('button', { name: /Show Documentation Explorer/i }).click();
  const explorer = page.locator('.graphiql-doc-explorer');
  await explorer.getByText('QueryRoot', { exact: true }).first().click({ timeout: 30_000 });
  await explorer.getByText('participants', { exact: true }).first().waitFor({ timeout: 30_000 });
  console.log('documentation explorer: QueryRoot lists participants');

  // Autocompletion from the schema, as a developer types.
  await page.locator('.graphiql-query-editor .CodeMirror').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  await page.keyboard.type('{ struc', { delay: 50 });
  const hint = page.locator('.CodeMirror-hints li', { hasText: 'structures' }).first();
  await hint.waitFor({ timeout: 30_000 });
  console.log('autocompletion offers structures');

  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
  if (outside.length) fail(`the page asked for outside resources: ${outside.join(', ')}`);
  if (errors.length) fail(`script errors: ${errors.join('; ')}`);
} catch (e) {
  fail(String(e));
} finally {
  await browser.close();
}
