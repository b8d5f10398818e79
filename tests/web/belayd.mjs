// A real belayd for the viewer test: a fresh data directory, a free port,
// REST with the admin token, and a stop that requires exit code 0.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export class Belayd {
  static async start(binary, args = []) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'belay-web-'));
    const proc = spawn(binary, ['--data-dir', dir, '--listen', '127.0.0.1:0', '--stats-interval', '0', ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    const b = new Belayd(dir, proc);
    b.port = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`belayd did not start:\n${b.output()}`)), 30000);
      const onData = (chunk) => {
        b.lines.push(chunk.toString());
        const m = /belayd listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(b.output());
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      };
      proc.stdout.on('data', onData);
      proc.stderr.on('data', (chunk) => b.lines.push(chunk.toString()));
      proc.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`belayd exited with ${code} at start:\n${b.output()}`));
      });
    });
    b.token = fs.readFileSync(path.join(dir, 'admin.token'), 'utf8').trim();
    return b;
  }

  constructor(dir, proc) {
    this.dir = dir;
    this.proc = proc;
    this.lines = [];
  }

  output() {
    return this.lines.join('');
  }

  get origin() {
    return `http://127.0.0.1:${this.port}`;
  }

  async rest(method, urlPath, body) {
    const headers = { Authorization: `Token ${this.token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(this.origin + urlPath, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  }

  // SIGTERM; resolves with the exit code (a sanitizer report makes it non-zero).
  async stop() {
    if (this.proc.exitCode !== null) return this.proc.exitCode;
    const exited = new Promise((resolve) => this.proc.once('exit', (code, signal) => resolve(code ?? signal)));
    this.proc.kill('SIGTERM');
    const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), 20000));
    const code = await Promise.race([exited, timeout]);
    if (code === 'timeout') this.proc.kill('SIGKILL');
    fs.rmSync(this.dir, { recursive: true, force: true });
    return code;
  }
}
