// A headless Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe: JSON
// messages separated by NUL on fds 3 and 4), so a test can open a page and wait until what a
// person would see is there. Debian's `chromium` package; tests skip with the reason without it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

interface Pending {
  resolve(v: Record<string, unknown>): void;
  reject(e: Error): void;
}

export class HeadlessPage {
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private buffer = '';
  private sessionId = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly profile: string,
  ) {
    const out = child.stdio[4] as Readable;
    out.setEncoding('utf8');
    out.on('data', (chunk: string) => {
      this.buffer += chunk;
      let i: number;
      while ((i = this.buffer.indexOf('\0')) >= 0) {
        const msg = JSON.parse(this.buffer.slice(0, i)) as { id?: number; result?: Record<string, unknown>; error?: { message: string } };
        this.buffer = this.buffer.slice(i + 1);
        const p = msg.id !== undefined ? this.pending.get(msg.id) : undefined;
        if (!p) continue;
        this.pending.delete(msg.id!);
        if (msg.error) p.reject(new Error(msg.error.message));
        else p.resolve(msg.result ?? {});
      }
    });
  }

  static async open(): Promise<HeadlessPage> {
    const profile = mkdtempSync(path.join(os.tmpdir(), 'payouts-chromium-'));
    const child = spawn(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--no-first-run',
        '--remote-debugging-pipe',
        `--user-data-dir=${profile}`,
        // Only the local server: the page's web fonts are not fetched from the internet.
        '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
        'about:blank',
      ],
      { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] },
    );
    const page = new HeadlessPage(child, profile);
    const { targetInfos } = (await page.send('Target.getTargets')) as { targetInfos: { targetId: string; type: string }[] };
    const target = targetInfos.find((t) => t.type === 'page');
    if (!target) throw new Error('chromium: no page target');
    const { sessionId } = (await page.send('Target.attachToTarget', { targetId: target.targetId, flatten: true })) as { sessionId: string };
    page.sessionId = sessionId;
    return page;
  }

  send(method: string, params: Record<string, unknown> = {}, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    // Browser.* and Target.* go to the browser; the rest to the attached page.
    const toPage = this.sessionId && !/^(Browser|Target)\./.test(method);
    const msg = JSON.stringify({ id, method, params, ...(toPage ? { sessionId: this.sessionId } : {}) });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`chromium: ${method} timed out`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      (this.child.stdio[3] as Writable).write(`${msg}\0`);
    });
  }

  async goto(url: string): Promise<void> {
    await this.send('Page.navigate', { url });
  }

  /** The page's visible text. */
  async text(): Promise<string> {
    const r = (await this.send('Runtime.evaluate', { expression: 'document.body ? document.body.innerText : ""', returnByValue: true })) as {
      result: { value: string };
    };
    return r.result.value;
  }

  /** Clicks the first button or link whose visible text is exactly `label`; false when there is none. */
  async click(label: string): Promise<boolean> {
    const expression = `(() => {
      const all = [...document.querySelectorAll('button'), ...document.querySelectorAll('a, [role="tab"]')];
      const el = all.find((e) => e.innerText && e.innerText.trim() === ${JSON.stringify(label)});
      if (!el) return false;
      el.click();
      return true;
    })()`;
    const r = (await this.send('Runtime.evaluate', { expression, returnByValue: true })) as { result: { value: boolean } };
    return r.result.value;
  }

  /** Waits until the visible text contains every string, returns it. */
  async waitForText(needles: string[], timeoutMs = 15_000): Promise<string> {
    const until = Date.now() + timeoutMs;
    let text = '';
    while (Date.now() < until) {
      text = await this.text();
      if (needles.every((n) => text.includes(n))) return text;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`page never showed ${JSON.stringify(needles)}; it showed:\n${text}`);
  }

  async close(): Promise<void> {
    await this.send('Browser.close', {}, 3000).catch(() => undefined);
    if (this.child.exitCode === null) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.child.kill('SIGKILL');
          resolve();
        }, 3000);
        this.child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    rmSync(this.profile, { recursive: true, force: true });
  }
}
