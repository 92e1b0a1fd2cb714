import { expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createApp } from '../../src/app';
import { findUserRow, toUser } from '../../src/auth/users';
import { loadConfig, parseDatabaseUrl } from '../../src/config';
import { openDb } from '../../src/db/knex';
import { migrateLatest } from '../../src/db/migrate';
import { intakeSchema } from '../../src/dossiers/schema';
import { parseInput } from '../../src/shared/http';
import { seedIfEmpty } from '../../seeds/index';
import { ROOT, startServer, type RunningServer } from '../helpers/server';

// Real Chromium (Debian's /usr/bin/chromium) driving the real server (src/server.ts in a child process)
// on a fresh SQLite file with the demo data, as a desk would run it.

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const PASSWORD = 'demo1234';
export const SCREENSHOTS = path.join(ROOT, 'docs/screenshots');
export const VIEWPORT = { width: 1366, height: 768 };

/** The dossier the head finds late: received by the admin (back-dated intake) before the server starts. */
export const LATE_APPLICANT = 'Huỳnh Thị Mỹ Duyên';
/** A centre procedure of 3 working days (handled by the natural resources department). */
export const LATE_PROCEDURE = '1.011441';
/** The dossier the head finds due soon: received now for a procedure of 4 working hours. */
export const SOON_APPLICANT = 'Đặng Văn Lộc';
export const SOON_PROCEDURE = '1.013988';

export interface E2E {
  server: RunningServer;
  base: string;
  browser: Browser;
  dir: string;
  lateCode: string;
  soonCode: string;
  /** a new browser context (own cookies) with a 1366×768 page */
  open(): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

/** Local (UTC+7) wall-clock parts of an instant, as the forms print them. */
export function localParts(iso: string) {
  const d = new Date(new Date(iso).getTime() + 7 * 3600_000);
  const two = (n: number) => String(n).padStart(2, '0');
  const month = d.getUTCMonth() + 1;
  // monthInText: after "tháng" on a document, a zero before 1 and 2 only (Nghị định 30/2020)
  return { day: two(d.getUTCDate()), month: two(month), monthInText: month <= 2 ? two(month) : String(month), year: String(d.getUTCFullYear()), hour: two(d.getUTCHours()), minute: two(d.getUTCMinutes()) };
}

async function prepareDatabase(url: string): Promise<{ lateCode: string; soonCode: string }> {
  const config = loadConfig({ NODE_ENV: 'test' } as NodeJS.ProcessEnv);
  const db = openDb(parseDatabaseUrl(url));
  try {
    await migrateLatest(db);
    await seedIfEmpty(db, { demo: true, now: new Date(), periods: config.workingPeriods });
    // A city admin enters, late, a dossier the centre received on paper three weeks ago (back-dating is the admin's right):
    // its 3 working days have long passed, so the server's first sweep drafts its apology letter.
    const admin = toUser((await findUserRow(db, 'admin'))!);
    const app = createApp({ db, config, log: () => {} });
    const received = localParts(new Date(Date.now() - 21 * 86_400_000).toISOString());
    const input = parseInput(intakeSchema, {
      procedureCode: LATE_PROCEDURE,
      agencyCode: '000.01.01.H13',
      channel: 'in_person',
      sets: 1,
      documents: 'Phiếu yêu cầu đăng ký biện pháp bảo đảm (bản chính)\nHợp đồng thế chấp quyền sử dụng đất (bản chính)',
      applicant: { name: LATE_APPLICANT, phone: '0939123456', address: 'Số 45 đường Mậu Thân, phường Ninh Kiều, thành phố Cần Thơ' },
      receivedAt: `${received.year}-${received.month}-${received.day}T09:15:00+07:00`,
    });
    const row = await app.locals.services.dossiers.receive(input, admin);
    // And one received now for a procedure of 4 working hours: due within a working day whatever the hour.
    const soon = await app.locals.services.dossiers.receive(
      parseInput(intakeSchema, { procedureCode: SOON_PROCEDURE, agencyCode: '000.01.01.H13', channel: 'in_person', sets: 1, applicant: { name: SOON_APPLICANT, phone: '0907111222' } }),
      admin,
    );
    return { lateCode: row.code, soonCode: soon.code };
  } finally {
    await db.destroy();
  }
}

export async function startE2E(): Promise<E2E> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium is missing at ${CHROMIUM} (apt-get install -y chromium)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onestop-e2e-'));
  const url = `sqlite:${path.join(dir, 'onestop.sqlite3')}`;
  const { lateCode, soonCode } = await prepareDatabase(url);
  const server = await startServer(url, { SEED_DEMO: '1' });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // A Vietnamese desk: dates in inputs read dd/mm/yyyy and times 24 h (needs Debian's chromium-l10n).
    env: { ...process.env, LANG: 'vi_VN.UTF-8', LANGUAGE: 'vi' },
    args: ['--no-sandbox', '--lang=vi-VN', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const contexts: BrowserContext[] = [];
  return {
    server,
    base: server.url,
    browser,
    dir,
    lateCode,
    soonCode,
    async open() {
      const context = await browser.newContext({ viewport: VIEWPORT, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh', acceptDownloads: true });
      context.setDefaultTimeout(30_000);
      contexts.push(context);
      const page = await context.newPage();
      return { context, page };
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close().catch(() => {});
      server.child.kill('SIGTERM');
      await server.exited;
      // E2E_KEEP=1 keeps the database and the printed PDFs for a look.
      if (process.env.E2E_KEEP === '1') console.log(`e2e files kept in ${dir}`);
      else fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Waits for the field `id` to have the focus its page's `autofocus` gives it. Chromium does not always give it by the
 * time "load" fires: keys typed before went nowhere (a login failed now and then; the intake's procedure filter got
 * "hai sinh" for "khai sinh").
 */
export async function autofocused(page: Page, id: string) {
  await page.waitForFunction(`document.activeElement && document.activeElement.id === ${JSON.stringify(id)}`);
}

/** Logs in through the form with the keyboard only: the user name field has the focus. */
export async function loginWithKeyboard(page: Page, base: string, username: string) {
  await page.goto(`${base}/dang-nhap`);
  await autofocused(page, 'username');
  await page.keyboard.type(username);
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  expect(await page.locator('#username').inputValue()).toBe(username);
  expect(await page.locator('#password').inputValue()).toBe(PASSWORD);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/dang-nhap')), page.keyboard.press('Enter')]);
}

/** The page printed to PDF as the browser's "Save as PDF" does, and its text (poppler's pdftotext). */
export async function printToPdf(page: Page, file: string): Promise<{ text: string; pages: number }> {
  await page.emulateMedia({ media: 'print' });
  const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
  await page.emulateMedia({ media: 'screen' });
  fs.writeFileSync(file, pdf);
  const text = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
  return { text, pages: Number(/Pages:\s+(\d+)/.exec(info)?.[1] ?? 0) };
}

/** What the office screen shows (1366×768); a printed form whole (`full`), to compare with the official layout. */
export async function screenshot(page: Page, name: string, full = false) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: full });
}
