// The live socket, /ws/session-live/{id}/: every message goes to
// onMessage in seq order, once. On a drop it reconnects with backoff and
// ?after_seq=<last seq seen>, so nothing is missed or doubled.

import { socketUrl } from './api.js';
import { ReconnectingSocket } from './socket.js';

export class LiveConnection {
  // handlers: onMessage(msg, {resumed}) (resumed: a state re-sent after a
  // reconnect, which keeps the skeleton), onStatus('connecting'|'open'|'retrying'|'closed', detail),
  // onGone() (close 4404), onAuth() (close 4401).
  constructor(sessionId, handlers) {
    this.sessionId = sessionId;
    this.handlers = handlers;
    this.lastSeq = null;
    this.pendingState = null;
    this.socket = new ReconnectingSocket(this, handlers);
  }

  start() {
    this.socket.start();
  }

  stop() {
    this.socket.stop();
  }

  // The next attempt's URL: after a drop, resume after the last seq seen.
  url() {
    const query = this.lastSeq === null ? {} : { after_seq: this.lastSeq };
    this.pendingState = null;
    return socketUrl(`/ws/session-live/${encodeURIComponent(this.sessionId)}/`, query);
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
