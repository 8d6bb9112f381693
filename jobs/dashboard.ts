// `payouts dashboard`: bull-board over the step queue, for the on-call engineer. Bound to
// 127.0.0.1 only (it can retry and remove jobs); reach it through an SSH tunnel.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter.js';
import { ExpressAdapter } from '@bull-board/express';
import { openQueue, type QueueConfig } from './queue.ts';
import { DASHBOARD_HOST, DEFAULT_DASHBOARD_PORT } from './settings.ts';
import { maskText } from '../pipeline/kernel/mask.ts';


// bull-board formats times in the browser's own time zone; the on-call engineer and the finance
// office read them in Asia/Almaty, whatever the laptop says. This script, put at the top of every
// page, makes the browser's local-time reading of a Date (what bull-board's date-fns formatting
// calls) answer in Asia/Almaty. Only the getters change; nothing on the server does.
const ALMATY_TIME_SCRIPT = `<script>(() => {
  const tz = new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Almaty', timeZoneName: 'longOffset' });
  const P = Date.prototype;
  const getTime = P.getTime;
  const offsetMin = (d) => {
    const t = getTime.call(d);
    if (Number.isNaN(t)) return 0;
    const m = /GMT([+-])(\\d\\d):(\\d\\d)/.exec(tz.format(t));
    return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  };
  for (const k of ['FullYear', 'Month', 'Date', 'Day', 'Hours', 'Minutes', 'Seconds', 'Milliseconds']) {
    const utc = P['getUTC' + k];
    P['get' + k] = function () { return utc.call(new Date(getTime.call(this) + offsetMin(this) * 60000)); };
  }
  P.getTimezoneOffset = function () { return -offsetMin(this); };
})();</script>`;

/** The link to the approvals page, fixed in the corner of every page of the board. */
const APPROVALS_LINK =
  '<a href="/approvals" style="position:fixed;right:12px;bottom:12px;z-index:1000;padding:6px 10px;background:#fff3cd;' +
  'border:1px solid #c9a227;border-radius:4px;font-family:sans-serif;color:#000">Ждут утверждения</a>';

/** Puts the Asia/Almaty script at the top of every HTML page the board sends (and the approvals link). */
function pageAdditions(withApprovals: boolean) {
  return (_req: express.Request, res: express.Response, next: express.NextFunction): void => {
    const send = res.send.bind(res);
    res.send = ((body?: unknown) => {
      if (typeof body === 'string' && body.includes('<head>')) {
        body = body.replace('<head>', `<head>${ALMATY_TIME_SCRIPT}`);
        if (withApprovals) body = (body as string).replace(/<body([^>]*)>/, `<body$1>${APPROVALS_LINK}`);
      }
      return send(body);
    }) as express.Response['send'];
    next();
  };
}

/** A payment order prepared by `pay` and waiting for a second operator (four eyes). */
export interface AwaitingOrder {
  number: number;
  date: string;
  mio_bin: string;
  bik: string;
  total: string;
  count: number;
  prepared_by: string;
}

export interface DashboardOptions extends QueueConfig {
  /** 0 picks a free port. */
  port?: number;
  readOnly?: boolean;
  /** The orders waiting for approval, read on every visit of /approvals (linked from the board). */
  awaitingApproval?: () => Promise<AwaitingOrder[]>;
}

const escapeHtml = (v: string) => v.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page of orders waiting for a second operator: what `payouts orders show` lists, in a browser. */
function approvalsPage(orders: AwaitingOrder[]): string {
  const rows = orders
    .map((o) =>
      `<tr><td>${o.number}</td><td>${escapeHtml(o.date)}</td><td>${escapeHtml(maskText(o.mio_bin))}</td><td>${escapeHtml(o.bik)}</td>` +
      `<td>${o.count}</td><td style="text-align:right">${escapeHtml(o.total)}</td><td>${escapeHtml(o.prepared_by)}</td></tr>`,
    )
    .join('');
  const body =
    orders.length === 0
      ? '<p>Нет платёжных поручений, ожидающих утверждения.</p>'
      : `<table border="1" cellpadding="4" cellspacing="0"><tr><th>№</th><th>Дата</th><th>МИО</th><th>БИК банка</th><th>Строк</th><th>Сумма, тенге</th><th>Подготовил</th></tr>${rows}</table>` +
        '<p>Утвердить (другой сотрудник, не тот, кто подготовил): <code>payouts orders approve --date ДАТА</code>; отклонить: <code>payouts orders reject --date ДАТА --reason ТЕКСТ</code>.</p>';
  return `<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>Ждут утверждения — payouts</title></head>` +
    `<body style="font-family:sans-serif"><h1>Платёжные поручения, ожидающие утверждения</h1>${body}<p><a href="./">← очередь шагов</a></p></body></html>`;
}

export interface RunningDashboard {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startDashboard(opts: DashboardOptions): Promise<RunningDashboard> {
  const queue = openQueue(opts);
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath('/');
  createBullBoard({
    queues: [
      new BullMQAdapter(queue, {
        readOnlyMode: !!opts.readOnly,
        displayName: 'Шаги цикла выплат',
        description: 'build-lists, form-demand, pay, refund-unsent, reconcile, bank-fees, check-deadlines',
      }),
    ],
    serverAdapter,
    options: {
      uiConfig: {
        boardTitle: 'payouts',
        // 24-hour times, day before month, as read in Kazakhstan (in Asia/Almaty: ALMATY_TIME_SCRIPT).
        dateFormats: { short: 'HH:mm:ss', common: 'dd.MM HH:mm:ss', full: 'dd.MM.yyyy HH:mm:ss' },
      },
    },
  });
  const app = express();
  app.disable('x-powered-by');
  app.use(pageAdditions(!!opts.awaitingApproval));
  const awaiting = opts.awaitingApproval;
  if (awaiting) {
    app.get('/approvals', (_req, res, next) => {
      awaiting().then((orders) => res.type('html').send(approvalsPage(orders)), next);
    });
  }
  app.use('/', serverAdapter.getRouter());
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(opts.port ?? DEFAULT_DASHBOARD_PORT, DASHBOARD_HOST, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${DASHBOARD_HOST}:${port}/`,
    port,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await queue.close();
    },
  };
}
