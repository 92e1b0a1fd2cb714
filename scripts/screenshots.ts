// Renders the main pages to PNG for a look: npx tsx scripts/screenshots.ts <baseUrl> <outDir> [user] [pages...]
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

const [base = 'http://localhost:3000', out = 'docs/screenshots', username = 'motcua', ...pages] = process.argv.slice(2);
fs.mkdirSync(out, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
await page.goto(`${base}/dang-nhap`);
await page.fill('#username', username);
await page.fill('#password', 'demo1234');
await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
for (const p of pages.length ? pages : ['/', '/ho-so', '/ho-so/moi']) {
  await page.goto(`${base}${p}`);
  const name = p.replace(/[^a-z0-9]+/gi, '_').replace(/^_|_$/g, '') || 'home';
  await page.screenshot({ path: path.join(out, `${username}-${name}.png`), fullPage: false });
  console.log(`${p} -> ${name}`);
}
await browser.close();
