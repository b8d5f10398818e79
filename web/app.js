// The viewer's entry: sign-in, the views and the address bar.
// Views by hash: #/ (sessions), #/live/<id>, #/replay/<id>.
// Query: ?token=KEY signs in (then leaves the address), ?server=host:port
// talks to another belayd, ?aspect=W/H is the wall's width over height.

import { AuthError, getSession, getToken, me, setToken } from './api.js';
import { SessionList } from './list.js';
import { SessionView } from './session-view.js';

const $ = (id) => document.getElementById(id);
const VIEWS = ['signin-view', 'list-view', 'session-view'];

function wallAspect() {
  const value = Number(new URLSearchParams(location.search).get('aspect'));
  return Number.isFinite(value) && value > 0.2 && value < 5 ? value : 0.75;
}

function showView(name) {
  for (const v of VIEWS) $(v).hidden = v !== name;
  document.body.dataset.view = name;
}

// A token in the address signs in and is then taken out of it, so it does
// not stay on screen or in the history.
function takeTokenFromAddress() {
  const url = new URL(location.href);
  const token = url.searchParams.get('token');
  if (!token) return;
  setToken(token.trim());
  url.searchParams.delete('token');
  history.replaceState(null, '', url.pathname + url.search + url.hash);
}

function parseHash() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  if ((parts[0] === 'live' || parts[0] === 'replay') && parts[1]) {
    return { view: 'session', mode: parts[0], id: decodeURIComponent(parts[1]) };
  }
  return { view: 'list' };
}

class App {
  constructor() {
    this.list = new SessionList({
      onOpen: (session, mode) => this.openSession(session, mode),
      onAuth: () => this.signOut('Your token was refused: sign in again.'),
    });
    this.session = new SessionView(wallAspect(), {
      onAuth: () => this.signOut('Your token was refused: sign in again.'),
      onMode: (mode) => {
        const { id } = parseHash();
        if (id) location.hash = `#/${mode}/${encodeURIComponent(id)}`;
      },
    });
    this.hints = new Map(); // session id → its list entry, for the first view
    $('signin-form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.signIn($('token-input').value.trim());
    });
    $('signout').addEventListener('click', () => this.signOut(''));
    $('fullscreen').addEventListener('click', () => this.toggleFullscreen());
    document.addEventListener('keydown', (event) => this.key(event));
    window.addEventListener('hashchange', () => this.route());
  }

  async start() {
    takeTokenFromAddress();
    if (!getToken()) return this.showSignIn('');
    try {
      await this.whoAmI();
    } catch (err) {
      if (err instanceof AuthError) return this.signOut('Your token was refused: sign in again.');
      // the server is away: show the views anyway, they report and retry
    }
    this.route();
  }

  async whoAmI() {
    const user = await me();
    $('user').textContent = user && user.username ? user.username : '';
    document.body.dataset.signedIn = 'true';
  }

  async signIn(token) {
    const error = $('signin-error');
    if (!token) {
      error.textContent = 'Enter a token.';
      return;
    }
    setToken(token);
    try {
      await this.whoAmI();
    } catch (err) {
      setToken('');
      error.textContent = err instanceof AuthError ? 'That token was refused.' : `Cannot reach the server: ${err.message}`;
      return;
    }
    error.textContent = '';
    $('token-input').value = '';
    this.route();
  }

  signOut(reason) {
    setToken('');
    this.list.stop();
    this.session.close();
    $('user').textContent = '';
    delete document.body.dataset.signedIn;
    this.showSignIn(reason);
  }

  showSignIn(reason) {
    $('signin-error').textContent = reason;
    showView('signin-view');
    $('token-input').focus();
  }

  openSession(session, mode) {
    this.hints.set(session.id, session);
    location.hash = `#/${mode}/${encodeURIComponent(session.id)}`;
  }

  async route() {
    if (!getToken()) return this.showSignIn('');
    const target = parseHash();
    if (target.view === 'session') {
      this.list.stop();
      showView('session-view');
      let hint = this.hints.get(target.id) || null;
      if (!hint && target.mode === 'replay') {
        // A replay of a session still live follows it past the recorded end.
        const hash = location.hash;
        hint = await getSession(target.id).catch(() => null);
        if (location.hash !== hash) return;
      }
      this.session.open(target.id, target.mode, hint);
    } else {
      this.session.close();
      showView('list-view');
      this.list.start();
    }
  }

  toggleFullscreen() {
    if (document.fullscreenElement) document.exitFullscreen();
    else if (document.documentElement.requestFullscreen) document.documentElement.requestFullscreen().catch(() => {});
  }

  key(event) {
    if (event.target.closest('input, select, textarea, button')) return; // their own keys
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === 'f') this.toggleFullscreen();
    else if (event.key === ' ' && document.body.dataset.view === 'session-view') {
      event.preventDefault();
      this.session.togglePlay();
    } else if (event.key === 'Escape' && document.body.dataset.view === 'session-view' && !document.fullscreenElement) {
      location.hash = '#/';
    }
  }
}

new App().start();
