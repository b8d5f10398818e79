// A WebSocket that comes back: messages arrive parsed; a close with 4404
// (the session is gone) or 4401 (a bad token) ends it; any other drop
// reconnects after a jittered backoff, 0.5 s doubling up to 10 s, which a
// message received resets. The live and replay connections are built on it.

const MIN_DELAY_MS = 500;
const MAX_DELAY_MS = 10000;

export class ReconnectingSocket {
  // source: url() — where the next attempt goes; receive(msg); dropped() —
  // optional, called before a retry. handlers: onStatus('connecting'|'open'|
  // 'retrying'|'closed', detail), onGone(), onAuth().
  constructor(source, handlers) {
    this.source = source;
    this.handlers = handlers;
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

  // Sends `msg` as JSON if the socket is open; false if it is not.
  send(msg) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  connect() {
    const ws = new WebSocket(this.source.url());
    this.ws = ws;
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
      this.source.receive(msg);
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
        if (this.source.dropped) this.source.dropped();
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
}
