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
    options: { uiConfig: { boardTitle: 'payouts' } },
  });
  const app = express();
  app.disable('x-powered-by');
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
