// The replay socket, /ws/session/{id}/: the recorded events with their
// original timing, and the controls (play, pause, speed, seek). Keeps the
// replay clock: where in the recording the viewer is, between events too.

import { socketUrl } from './api.js';
import { ReconnectingSocket } from './socket.js';

export const SPEEDS = [0.25, 0.5, 1, 2, 4, 8, 16];
const SEEK_ANSWER_MS = 5000; // give up waiting for a seek's session_state

export class ReplayConnection {
  // handlers: onInfo(info), onMessage(msg), onCompleted(msg), onError(msg),
  // onStatus('connecting'|'open'|'retrying'|'closed', detail), onGone(), onAuth().
  constructor(sessionId, handlers, { speed = 1, paused = false, follow = false } = {}) {
    this.sessionId = sessionId;
    this.handlers = handlers;
    this.speed = speed;
    this.playing = !paused;
    this.follow = follow;
    this.info = null;
    this.completed = false;
    this.offset = 0; // offset_ms at `offsetAt` (performance.now())
    this.offsetAt = performance.now();
    this.seeksPending = 0;
    this.seekTimer = null;
    this.resumeAt = null; // after a drop: where to seek once reconnected
    this.socket = new ReconnectingSocket(this, handlers);
  }

  start() {
    this.socket.start();
  }

  stop() {
    clearTimeout(this.seekTimer);
    this.socket.stop();
  }

  // The replay position now, in ms since the session's first event.
  position() {
    let at = this.offset;
    if (this.playing && !this.completed && this.seeksPending === 0 && this.info) {
      at += (performance.now() - this.offsetAt) * this.speed;
    }
    const end = this.info ? this.info.duration_ms : 0;
    return this.follow ? at : Math.min(at, Math.max(end, this.offset));
  }

  duration() {
    return this.info ? this.info.duration_ms : 0;
  }

  play() {
    if (this.completed) {
      this.seek({ offset_ms: 0 });
    }
    this.setClock(this.position());
    this.playing = true;
    this.send({ type: 'play' });
  }

  pause() {
    this.setClock(this.position());
    this.playing = false;
    this.send({ type: 'pause' });
  }

  setSpeed(speed) {
    this.setClock(this.position());
    this.speed = speed;
    this.send({ type: 'set_speed', speed });
  }

  // target: {offset_ms} or {seq}
  seek(target) {
    this.completed = false;
    if (typeof target.offset_ms === 'number') this.setClock(target.offset_ms);
    this.seeksPending += 1;
    clearTimeout(this.seekTimer);
    this.seekTimer = setTimeout(() => { this.seeksPending = 0; }, SEEK_ANSWER_MS);
    this.send({ type: 'seek', ...target });
  }

  setClock(offset) {
    this.offset = offset;
    this.offsetAt = performance.now();
  }

  send(msg) {
    this.socket.send(msg);
  }

  // The next attempt's URL: after a drop, paused, to seek back once open.
  url() {
    const query = { speed: this.speed };
    if (!this.playing || this.resumeAt !== null) query.paused = 1;
    if (this.follow) query.follow = 1;
    return socketUrl(`/ws/session/${encodeURIComponent(this.sessionId)}/`, query);
  }

  // A drop: come back where we were.
  dropped() {
    this.resumeAt = Math.round(this.position());
  }

  receive(msg) {
    switch (msg.type) {
      case 'replay_info':
        this.info = msg;
        if (typeof msg.speed === 'number') this.speed = msg.speed;
        if (this.resumeAt !== null) {
          const at = this.resumeAt;
          const wasPlaying = this.playing;
          this.resumeAt = null;
          this.handlers.onInfo(msg);
          this.seek({ offset_ms: at });
          if (wasPlaying) this.send({ type: 'play' });
          return;
        }
        if (typeof msg.paused === 'boolean') this.playing = !msg.paused;
        this.setClock(0);
        this.handlers.onInfo(msg);
        return;
      case 'session_state':
        if (this.seeksPending > 0) this.seeksPending -= 1;
        if (typeof msg.offset_ms === 'number') this.setClock(msg.offset_ms);
        this.handlers.onMessage(msg);
        return;
      case 'replay_completed':
        this.completed = true;
        this.setClock(this.duration());
        this.handlers.onCompleted(msg);
        return;
      case 'error':
        if (this.seeksPending > 0) this.seeksPending -= 1;
        this.handlers.onError(msg);
        return;
      default:
        if (this.seeksPending > 0) return; // sent before our seek: its state replaces them
        if (typeof msg.offset_ms === 'number') {
          this.setClock(msg.offset_ms);
          if (this.follow && this.info && msg.offset_ms > this.info.duration_ms) {
            this.info.duration_ms = msg.offset_ms;
          }
        }
        this.handlers.onMessage(msg);
    }
  }
}
