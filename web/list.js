// The list of sessions, newest first, live ones marked; refreshed every
// few seconds while shown. Each entry is <li class="session"
// data-session-id data-status> with buttons data-action="live"|"replay".

import { AuthError, getRoute, listSessions } from './api.js';
import { formatDuration, formatWhen, shortId } from './format.js';
import { elapsedMs, progress } from './state.js';

const REFRESH_MS = 5000;
const $ = (id) => document.getElementById(id);

function node(tag, className, text) {
  const n = document.createElement(tag);
  if (className) n.className = className;
  if (text !== undefined) n.textContent = text;
  return n;
}

export class SessionList {
  // callbacks: onOpen(session, mode), onAuth()
  constructor(callbacks) {
    this.callbacks = callbacks;
    this.timer = null;
    this.routes = new Map(); // id → route, as they arrive
    this.sessions = [];
    $('session-list').addEventListener('click', (event) => this.click(event));
    $('session-list').addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && event.target.matches('li.session')) this.click(event);
    });
    $('refresh').addEventListener('click', () => this.refresh());
  }

  start() {
    this.stop();
    this.refresh();
    this.timer = setInterval(() => this.refresh(), REFRESH_MS);
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
  }

  click(event) {
    const item = event.target.closest('li.session');
    if (!item) return;
    const session = this.sessions.find((s) => s.id === item.dataset.sessionId);
    if (!session) return;
    const button = event.target.closest('button[data-action]');
    const mode = button ? button.dataset.action : session.status === 'started' ? 'live' : 'replay';
    this.callbacks.onOpen(session, mode);
  }

  async refresh() {
    let sessions;
    try {
      sessions = await listSessions();
    } catch (err) {
      if (err instanceof AuthError) this.callbacks.onAuth();
      else this.error(`Could not load the sessions: ${err.message}`);
      return;
    }
    if (!this.timer) return; // closed meanwhile
    this.error('');
    this.sessions = sessions;
    this.loadRoutes(sessions);
    this.render();
    $('list-updated').textContent = `Updated ${new Date().toLocaleTimeString()}`;
  }

  loadRoutes(sessions) {
    for (const id of new Set(sessions.map((s) => s.route).filter(Boolean))) {
      if (this.routes.has(id)) continue;
      this.routes.set(id, null);
      getRoute(id).then((route) => {
        this.routes.set(id, route);
        if (this.timer) this.render();
      }, () => this.routes.delete(id));
    }
  }

  error(text) {
    const box = $('list-message');
    box.textContent = text;
    box.hidden = !text;
  }

  render() {
    const list = $('session-list');
    const live = this.sessions.filter((s) => s.status === 'started').length;
    $('live-count').textContent = live ? `${live} live` : '';
    $('list-empty').hidden = this.sessions.length > 0;
    list.replaceChildren(...this.sessions.map((s) => this.item(s)));
  }

  item(s) {
    const route = s.route ? this.routes.get(s.route) : null;
    const li = node('li', `session status-${s.status}`);
    li.dataset.sessionId = s.id;
    li.dataset.status = s.status;
    li.tabIndex = 0;

    const badge = node('span', 'badge', s.status === 'started' ? 'Live' : s.status);
    badge.dataset.status = s.status;
    li.append(badge);

    const main = node('div', 'session-main');
    const title = node('div', 'session-title', route ? route.name : s.route ? 'Route…' : 'No route');
    if (route && route.grade) title.append(node('span', 'grade', route.grade));
    main.append(title);
    const when = [s.user, formatWhen(s.start_time), `#${shortId(s.id)}`].filter(Boolean).join(' · ');
    main.append(node('div', 'session-sub', when));
    li.append(main);

    const { completed, total } = progress(s.climb_data, route);
    li.append(node('div', 'session-holds', total ? `${completed}/${total} holds` : ''));
    li.append(node('div', 'session-time', formatDuration(elapsedMs(s, Date.now()), false)));

    const actions = node('div', 'session-actions');
    if (s.status === 'started') {
      const watch = node('button', 'primary', 'Watch live');
      watch.dataset.action = 'live';
      actions.append(watch);
    }
    const replay = node('button', '', 'Replay');
    replay.dataset.action = 'replay';
    actions.append(replay);
    li.append(actions);
    return li;
  }
}
