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

/** Puts the Asia/Almaty script at the top of every HTML page the board sends. */
function almatyTimes(_req: express.Request, res: express.Response, next: express.NextFunction): void {
  const send = res.send.bind(res);
  res.send = ((body?: unknown) => {
    if (typeof body === 'string' && body.includes('<head>')) body = body.replace('<head>', `<head>${ALMATY_TIME_SCRIPT}`);
    return send(body);
  }) as express.Response['send'];
  next();
}

export interface DashboardOptions extends QueueConfig {
  /** 0 picks a free port. */
  port?: number;
  readOnly?: boolean;
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
  app.use(almatyTimes);
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
