import { mkdirSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { eventually } from '../../support/test-app.js';

export const ARTIFACTS = join(process.cwd(), 'test-artifacts');

/** Debian's Chromium, headless, with the flags this machine needs (no background network, no sandbox as root). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

export interface Person {
  name: string;
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors: a test fails if the app threw. */
  errors: string[];
}

/** One person at one browser: their own context (storage, cookies), one page, on a screen of this size. */
export async function person(
  browser: Browser,
  name: string,
  viewport = { width: 1400, height: 900 },
  locale = 'en-GB',
): Promise<Person> {
  const context = await browser.newContext({ viewport, locale, timezoneId: 'UTC' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`${name}: ${error.message}`));
  page.on('dialog', (dialog) => void dialog.accept()); // confirmations ("Remove Ben?") are accepted
  return { name, context, page, errors };
}

/** A student joining from the landing page with the class code and a first name, as one would. */
export async function joinWithCode(page: Page, origin: string, code: string, name: string): Promise<void> {
  await page.goto(`${origin}/`);
  await page.getByRole('textbox', { name: 'Class code' }).fill(code);
  await page.getByLabel('Your first name').fill(name);
  await page.getByRole('button', { name: 'Join the class' }).click();
  await page.getByTestId('composer-input').waitFor();
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** The conversation as a reader sees it: one line per message, without per-role controls. */
export function conversationLines(page: Page): Promise<string[]> {
  return page.$$eval('[data-testid="message"]', (items) =>
    items.map((item) => {
      const text = (selector: string) => item.querySelector(selector)?.textContent?.trim() ?? '';
      return [
        item.getAttribute('data-seq'),
        text('.author'),
        text('.message-head .badge'),
        text('time'),
        item.getAttribute('data-status'),
        text('.content'),
      ].join(' | ');
    }),
  );
}

/**
 * A TCP proxy in front of the app, so one page's network can be cut and
 * restored: cutting destroys every connection through it and refuses new ones.
 */
export class CuttableLink {
  private server?: Server;
  private readonly open = new Set<Socket>();
  private down = false;
  url = '';

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<this> {
    this.server = createServer((client) => {
      if (this.down) return client.destroy();
      const upstream = connect(this.target.port, this.target.host);
      this.open.add(client).add(upstream);
      const forget = () => {
        this.open.delete(client);
        this.open.delete(upstream);
        client.destroy();
        upstream.destroy();
      };
      client.on('error', forget).on('close', forget);
      upstream.on('error', forget).on('close', forget);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as { port: number }).port}`;
    return this;
  }

  cut(): void {
    this.down = true;
    for (const socket of this.open) socket.destroy();
    this.open.clear();
  }

  restore(): void {
    this.down = false;
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** Browser pages take longer than sockets: a longer default wait. */
export const until = <T>(check: () => Promise<T | false | null | undefined>, what: string, timeoutMs = 15000) =>
  eventually(check, what, timeoutMs) as Promise<T>;

export const textOf = (locator: Locator) => locator.textContent({ timeout: 1000 }).then((t) => t?.trim() ?? '');

/** Waits until the locator's text holds `expected`; resolves with that text. */
export const hasText = (locator: Locator, expected: string | RegExp) =>
  until(
    async () => {
      const text = await textOf(locator);
      return (typeof expected === 'string' ? text.includes(expected) : expected.test(text)) && text;
    },
    `"${String(expected)}" in ${locator.toString()}`,
  );

/** Opens `path` signed in as this account: its token where the web client keeps it. */
export async function signedIn(
  page: Page,
  origin: string,
  account: { access_token: string; user: unknown },
  path: string,
): Promise<void> {
  await page.goto(`${origin}/`);
  await page.evaluate(
    (stored) => localStorage.setItem('roundtable.account', stored),
    JSON.stringify({ token: account.access_token, user: account.user }),
  );
  await page.goto(`${origin}${path}`);
}
