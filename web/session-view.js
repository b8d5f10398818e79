// One session on the big screen: the wall with its holds and the climber's
// skeleton, and the panel (route, status, timer, progress, replay controls).
// Owns the session's socket, live or replay.

import { AuthError, getRoute } from './api.js';
import { formatDuration, shortId } from './format.js';
import { LiveConnection } from './live.js';
import { ReplayConnection, SPEEDS } from './replay.js';
import { applyMessage, climbHolds, elapsedMs, emptyState, progress } from './state.js';
import { Wall } from './wall.js';

const $ = (id) => document.getElementById(id);

const STATUS_TEXT = { started: 'Live', completed: 'Completed', abandoned: 'Abandoned' };
const REPLAY_STATUS_TEXT = { ...STATUS_TEXT, started: 'Climbing' };
const CONNECTION_TEXT = {
  connecting: 'Connecting…', open: 'Connected', retrying: 'Reconnecting…', closed: 'Disconnected',
};

export class SessionView {
  // callbacks: onAuth() (the token was refused), onMode(mode) (a mode button)
  constructor(aspect, callbacks) {
    this.callbacks = callbacks;
    this.wall = new Wall($('wall'), aspect);
    this.conn = null;
    this.ticker = null;
    this.frame = 0;
    this.bindControls();
  }

  bindControls() {
    $('mode-live').addEventListener('click', () => this.callbacks.onMode('live'));
    $('mode-replay').addEventListener('click', () => this.callbacks.onMode('replay'));
    $('play').addEventListener('click', () => this.togglePlay());
    const speed = $('speed');
    speed.replaceChildren(...SPEEDS.map((s) => new Option(`${s}×`, String(s), s === 1, s === 1)));
    speed.addEventListener('change', () => {
      if (this.mode === 'replay') this.conn.setSpeed(Number(speed.value));
    });
    const scrubber = $('scrubber');
    scrubber.addEventListener('input', () => {
      this.scrubbing = true;
      $('replay-time').textContent = this.replayTimeText(Number(scrubber.value));
    });
    scrubber.addEventListener('change', () => {
      this.scrubbing = false;
      if (this.mode === 'replay') this.conn.seek({ offset_ms: Number(scrubber.value) });
      this.renderReplay();
    });
  }

  togglePlay() {
    if (this.mode !== 'replay' || !this.conn.info) return;
    if (this.conn.playing && !this.conn.completed) this.conn.pause();
    else this.conn.play();
    this.renderReplay();
  }

  open(sessionId, mode, sessionHint = null) {
    this.close();
    this.sessionId = sessionId;
    this.mode = mode;
    this.state = emptyState();
    this.route = null;
    this.routeId = undefined;
    this.skew = -Infinity; // server clock − ours, from live events' ts
    this.firstEventTime = null; // replay: the ts of offset 0
    this.scrubbing = false;
    this.message('');
    const root = $('session-view');
    root.dataset.mode = mode;
    root.dataset.sessionId = sessionId;
    $('mode-live').setAttribute('aria-pressed', String(mode === 'live'));
    $('mode-replay').setAttribute('aria-pressed', String(mode === 'replay'));
    $('replay-controls').hidden = mode !== 'replay';
    $('session-id').textContent = shortId(sessionId);
    this.wall.setHolds([], []);
    this.wall.setPose(null);
    this.dirty = { holds: true, pose: true };

    const handlers = {
      onMessage: (msg, how) => this.receive(msg, how),
      onStatus: (status, detail) => this.connection(status, detail),
      onGone: () => this.message('This session no longer exists.'),
      onAuth: () => this.callbacks.onAuth(),
    };
    if (mode === 'live') {
      this.conn = new LiveConnection(sessionId, handlers);
    } else {
      const follow = Boolean(sessionHint && sessionHint.status === 'started');
      this.conn = new ReplayConnection(sessionId, {
        ...handlers,
        onInfo: (info) => this.replayInfo(info),
        onCompleted: () => this.renderReplay(),
        onError: (msg) => this.message(`${msg.code}: ${msg.message}`),
      }, { speed: Number($('speed').value) || 1, follow });
    }
    this.conn.start();
    this.ticker = setInterval(() => this.tick(), 100);
    this.render();
  }

  close() {
    if (this.conn) this.conn.stop();
    this.conn = null;
    clearInterval(this.ticker);
    cancelAnimationFrame(this.frame);
    this.frame = 0;
  }

  message(text) {
    const box = $('session-message');
    box.textContent = text;
    box.hidden = !text;
  }

  connection(status, detail) {
    const node = $('connection');
    node.dataset.state = status;
    let text = CONNECTION_TEXT[status] || status;
    if (status === 'retrying' && detail) text = `Reconnecting in ${Math.ceil(detail / 1000)} s…`;
    if (status === 'closed' && detail) text = `Disconnected: ${detail}`;
    node.textContent = text;
  }

  replayInfo(info) {
    // Until the first event, show the route's holds untouched.
    const session = info.session || {};
    const climb = session.climb_data && Array.isArray(session.climb_data.holds)
      ? { ...session.climb_data, holds: session.climb_data.holds.map((h) => ({ ...h, status: 'untouched', time: null })) }
      : null;
    this.state.session = { ...session, status: 'started', end_time: null, climb_data: climb || {} };
    this.state.climb = climb;
    this.state.pose = null;
    const created = Date.parse(session.created); // the time of the first event, near enough
    if (this.firstEventTime === null && Number.isFinite(created)) this.firstEventTime = created;
    $('scrubber').max = String(info.duration_ms || 0);
    $('speed').value = String(this.conn.speed);
    this.afterChange();
  }

  receive(msg, how = {}) {
    if (this.mode === 'live' && msg.ts) {
      this.skew = Math.max(this.skew, Date.parse(msg.ts) - Date.now());
    }
    if (this.mode === 'replay' && msg.ts && msg.offset_ms === 0) {
      this.firstEventTime = Date.parse(msg.ts);
    }
    if (msg.type === 'error') {
      this.message(`${msg.code}: ${msg.message}`);
      return;
    }
    if (!applyMessage(this.state, msg, { keepPose: Boolean(how.resumed) })) return;
    if (msg.type === 'pose_updated') this.dirty.pose = true;
    else this.afterChange();
    this.schedule();
  }

  afterChange() {
    this.dirty.holds = true;
    this.dirty.pose = true;
    this.loadRoute();
    this.schedule();
  }

  loadRoute() {
    const id = this.state.session ? this.state.session.route || null : null;
    if (id === this.routeId) return;
    this.routeId = id;
    this.route = null;
    if (!id) return;
    getRoute(id).then((route) => {
      if (this.routeId !== id) return;
      this.route = route;
      this.dirty.holds = true;
      this.schedule();
    }, (err) => {
      if (err instanceof AuthError) this.callbacks.onAuth();
      else if (this.routeId === id) this.message(`Route: ${err.message}`);
    });
  }

  schedule() {
    if (!this.frame) this.frame = requestAnimationFrame(() => { this.frame = 0; this.render(); });
  }

  render() {
    const { state } = this;
    if (this.dirty.holds) {
      this.wall.setHolds(this.route ? this.route.holds || [] : [], climbHolds(state.climb));
      this.dirty.holds = false;
    }
    if (this.dirty.pose) {
      this.wall.setPose(state.pose);
      this.dirty.pose = false;
    }
    const skeleton = $('skeleton');
    skeleton.dataset.poseFrames = String(state.poseFrames);
    skeleton.dataset.seq = String(state.seq);

    const session = state.session || {};
    const statusNode = $('status');
    const status = session.status || 'unknown';
    statusNode.dataset.status = status;
    const texts = this.mode === 'live' ? STATUS_TEXT : REPLAY_STATUS_TEXT;
    statusNode.textContent = texts[status] || (state.session ? status : '…');

    $('route-name').textContent = this.route ? this.route.name : (session.route ? '…' : 'No route');
    $('route-grade').textContent = this.route && this.route.grade ? this.route.grade : '';
    $('route-grade').hidden = !(this.route && this.route.grade);
    $('climber').textContent = session.user || '';

    const { completed, total } = progress(state.climb, this.route);
    const progressNode = $('progress');
    progressNode.dataset.completed = String(completed);
    progressNode.dataset.total = String(total);
    $('progress-text').textContent = `${completed} / ${total}`;
    $('progress-bar').style.width = total ? `${(100 * completed) / total}%` : '0';
    const climbStatus = state.climb && state.climb.status;
    $('climb-status').textContent = climbStatus ? `Climb: ${climbStatus}` : '';
    this.renderTimer();
    this.renderReplay();
  }

  // The time "now" on the session's clock: the server's (live) or the
  // replay position's.
  sessionNow() {
    if (this.mode === 'replay') {
      if (this.firstEventTime === null) return null;
      return this.firstEventTime + this.conn.position();
    }
    return Date.now() + (Number.isFinite(this.skew) ? this.skew : 0);
  }

  renderTimer() {
    const now = this.sessionNow();
    const ms = now === null ? null : elapsedMs(this.state.session, now);
    const timer = $('timer');
    timer.textContent = formatDuration(ms);
    timer.dataset.ms = ms === null ? '' : String(Math.round(ms));
    timer.classList.toggle('running', this.state.session ? this.state.session.status === 'started' : false);
  }

  replayTimeText(at) {
    return `${formatDuration(at, false)} / ${formatDuration(this.conn.duration(), false)}`;
  }

  renderReplay() {
    if (this.mode !== 'replay' || !this.conn) return;
    const { conn } = this;
    const play = $('play');
    const state = !conn.info ? 'loading' : conn.completed ? 'ended' : conn.playing ? 'playing' : 'paused';
    play.dataset.state = state;
    play.textContent = state === 'playing' ? '❚❚' : state === 'ended' ? '↺' : '▶';
    play.setAttribute('aria-label', state === 'playing' ? 'Pause' : 'Play');
    const scrubber = $('scrubber');
    const at = Math.round(conn.position());
    scrubber.dataset.offsetMs = String(at);
    if (!this.scrubbing) {
      if (Number(scrubber.max) < conn.duration()) scrubber.max = String(conn.duration());
      scrubber.value = String(at);
      $('replay-time').textContent = this.replayTimeText(at);
    }
  }

  tick() {
    this.renderTimer();
    this.renderReplay();
  }
}
