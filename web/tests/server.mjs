// Starts the real `workhub` binary for browser tests: a temporary data dir with an operator
// (op / Op-Passw0rd!) and a company "Acme" whose administrator is admin / Admin-Passw0rd!,
// served on a free loopback port, optionally with a configuration file. The binary comes from
// env WORKHUB_BIN.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const OPERATOR = { username: 'op', password: 'Op-Passw0rd!' };
export const ADMIN_PASSWORD = 'Admin-Passw0rd!';

/** Why the browser tests cannot run here, or null when they can. */
export function skipReason() {
  return process.env.WORKHUB_BIN ? null : 'WORKHUB_BIN is not set (path of the workhub server binary)';
}

function runCli(bin, args) {
  const res = spawnSync(bin, args, { encoding: 'utf8', timeout: 120_000 });
  if (res.error) throw new Error(`${bin} ${args.join(' ')}: ${res.error.message}`);
  if (res.status !== 0) {
    throw new Error(`${bin} ${args.join(' ')} exited ${res.status}\nstdout:\n${res.stdout}\nstderr:\n${res.stderr}`);
  }
  return res.stdout;
}

/**
 * `config`: the text of a configuration file (TOML, e.g. `[messaging]\nlarge_group_members = 2`)
 * for `serve`; the data dir and listen address are given as flags, which take precedence.
 * @param {{config?: string}} [options]
 * @returns {Promise<{baseURL: string, corpid: string, contactsSecret: string, adminUserid: string,
 *   adminPassword: string, dataDir: string, logs: () => string, stop: () => Promise<void>}>}
 */
export async function startServer({ config } = {}) {
  const bin = process.env.WORKHUB_BIN;
  if (!bin) throw new Error('WORKHUB_BIN is not set');
  const dataDir = mkdtempSync(join(tmpdir(), 'workhub-web-test-'));

  runCli(bin, ['operator', 'create', '--data-dir', dataDir, '--username', OPERATOR.username, '--password', OPERATOR.password]);
  const out = runCli(bin, [
    'corp', 'create', '--data-dir', dataDir, '--name', 'Acme',
    '--admin-userid', 'admin', '--admin-password', ADMIN_PASSWORD,
  ]);
  const lastLine = out.trim().split('\n').pop() ?? '';
  let corp;
  try {
    corp = JSON.parse(lastLine);
  } catch {
    throw new Error(`corp create: last stdout line is not JSON: ${JSON.stringify(lastLine)}`);
  }

  const serve = ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir];
  if (config !== undefined) {
    const file = join(dataDir, 'workhub.toml');
    writeFileSync(file, config);
    serve.push('--config', file);
  }
  const child = spawn(bin, serve, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn' },
  });
  let log = '';
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  const baseURL = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not report its port within 60 s\n${log}`)), 60_000);
    let buffered = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      log += chunk;
      buffered += chunk;
      const m = buffered.match(/listening on (http:\/\/127\.0\.0\.1:(\d+))/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.stderr.on('data', (chunk) => (log += chunk));
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited early (code ${code}, signal ${signal})\n${log}`));
    });
  });

  return {
    baseURL,
    corpid: corp.corpid,
    contactsSecret: corp.contacts_secret,
    adminUserid: corp.admin_userid ?? 'admin',
    adminPassword: ADMIN_PASSWORD,
    dataDir,
    logs: () => log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
