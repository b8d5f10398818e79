// The live socket, /ws/session-live/{id}/: every message goes to
// onMessage in seq order, once. On a drop it reconnects with backoff and
// ?after_seq=<last seq seen>, so nothing is missed or doubled.

import { socketUrl } from './api.js';

const MIN_DELAY_MS = 500;
const MAX_DELAY_MS = 10000;

export class LiveConnection {
  // handlers: onMessage(msg, {resumed}) (resumed: a state re-sent after a
  // reconnect, which keeps the skeleton), onStatus('connecting'|'open'|'retrying'|'closed', detail),
  // onGone() (close 4404), onAuth() (close 4401).
  constructor(sessionId, handlers) {
    this.sessionId = sessionId;
    this.handlers = handlers;
    this.lastSeq = null;
    this.pendingState = null;
    this.attempt = 0;
    this.ws = null;
    this.timer = null;
    this.stopped = false;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.ws) {
      this.ws.onclose = null;
      this.ws.close(1000);
      this.ws = null;
    }
    this.handlers.onStatus('closed');
  }

  connect() {
    const query = this.lastSeq === null ? {} : { after_seq: this.lastSeq };
    const ws = new WebSocket(socketUrl(`/ws/session-live/${encodeURIComponent(this.sessionId)}/`, query));
    this.ws = ws;
    this.pendingState = null;
    this.handlers.onStatus('connecting');
    ws.onopen = () => this.handlers.onStatus('open');
    ws.onmessage = (event) => {
      let msg;
      try {
        msg = JSON.parse(event.data);
      } catch {
        return;
      }
      this.attempt = 0;
      this.receive(msg);
    };
    ws.onclose = (event) => {
      this.ws = null;
      if (this.stopped) return;
      if (event.code === 4404) {
        this.handlers.onStatus('closed', 'session gone');
        this.handlers.onGone();
      } else if (event.code === 4401) {
        this.handlers.onStatus('closed', 'bad token');
        this.handlers.onAuth();
      } else {
        this.retry();
      }
    };
  }

  retry() {
    const delay = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** this.attempt);
    this.attempt += 1;
    const wait = delay / 2 + Math.random() * (delay / 2);
    this.handlers.onStatus('retrying', Math.round(wait));
    this.timer = setTimeout(() => this.connect(), wait);
  }

  receive(msg) {
    if (msg.type === 'session_state') {
      // On a resume the state is the newest (seq S) and the events missed
      // after lastSeq follow it: fold those first, then the state at S.
      if (this.lastSeq === null) {
        this.lastSeq = msg.seq;
        this.handlers.onMessage(msg, { resumed: false });
      } else if (msg.seq > this.lastSeq) {
        this.pendingState = msg;
      } else if (msg.seq === this.lastSeq) {
        this.handlers.onMessage(msg, { resumed: true });
      }
      return;
    }
    if (typeof msg.seq === 'number') {
      if (this.lastSeq !== null && msg.seq <= this.lastSeq) return; // already seen
      this.lastSeq = msg.seq;
    }
    this.handlers.onMessage(msg, { resumed: false });
    if (this.pendingState && this.lastSeq >= this.pendingState.seq) {
      const state = this.pendingState;
      this.pendingState = null;
      this.handlers.onMessage(state, { resumed: true });
    }
  }
}
