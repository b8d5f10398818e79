// The viewer page end to end: a real belayd serving web/, Debian's chromium
// driven by playwright-core, a climb fed over the live socket.
//
// usage: node viewer.test.mjs BELAYD WEB_DIR NODE_DIR OUT_DIR
//   NODE_DIR: where `npm ci` put node_modules (the build tree);
//   OUT_DIR: where the screenshots go (viewer.png, viewer-list.png, viewer-replay.png).
// BELAY_CHROMIUM overrides /usr/bin/chromium.

import { createRequire } from 'node:module';
import path from 'node:path';

import { Belayd } from './belayd.mjs';
import { Feeder, HIDDEN_LANDMARKS, ROUTE_HOLDS } from './feeder.mjs';

const [belaydBinary, webDir, nodeDir, outDir] = process.argv.slice(2);
if (!outDir) {
  console.error('usage: node viewer.test.mjs BELAYD WEB_DIR NODE_DIR OUT_DIR');
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(nodeDir), 'package.json'));
const { chromium } = require('playwright-core');
const WebSocket = require('ws');

const WAIT = { timeout: 20000 };
const VISIBLE_LANDMARKS = 33 - HIDDEN_LANDMARKS.length;

function check(ok, message) {
  if (!ok) throw new Error(message);
}

let passed = 0;
async function step(name, body) {
  const t0 = Date.now();
  await body();
  passed += 1;
  console.log(`PASS ${name} (${Date.now() - t0} ms)`);
}

const holdSelector = (id, status) => `#holds .hold[data-hold-id="${id}"]${status ? `[data-status="${status}"]` : ''}`;

// Every data-status change of a hold, in order: [[id, status], …].
function recordHoldChanges() {
  window.holdLog = [];
  if (window.holdObserver) window.holdObserver.disconnect();
  window.holdObserver = new MutationObserver((mutations) => {
    for (const m of mutations) {
      if (m.target.classList && m.target.classList.contains('hold')) {
        window.holdLog.push([m.target.dataset.holdId, m.target.dataset.status]);
      }
    }
  });
  window.holdObserver.observe(document.getElementById('holds'), { subtree: true, attributes: true, attributeFilter: ['data-status'] });
}

async function holdStatuses(page) {
  return page.$$eval('#holds .hold', (nodes) => Object.fromEntries(nodes.map((n) => [n.dataset.holdId, n.dataset.status])));
}

async function main(b, browser, failures) {
  const sessions = {};
  let page;
  const liveSockets = []; // {url, ws, server} per live socket the page opened
  const replayIn = []; // replay messages server → page
  const replayOut = []; // page → server

  await step('route and sessions over REST', async () => {
    const route = await b.rest('POST', '/api/routes/', { name: 'Blue Arete', grade: '6b+', holds: ROUTE_HOLDS });
    check(route.status === 201, `POST /api/routes/: ${route.status} ${JSON.stringify(route.body)}`);
    // An older, finished session without a route: the viewer lays its holds on a grid.
    const old = await b.rest('POST', '/api/sessions/', {});
    check(old.status === 201, `POST /api/sessions/: ${old.status}`);
    const grid = ['a', 'b', 'c', 'd', 'e', 'f'].map((id, i) => ({
      id, type: i === 0 ? 'start' : i === 5 ? 'finish' : 'normal', status: i < 4 ? 'completed' : 'untouched', time: null,
    }));
    const patched = await b.rest('PATCH', `/api/sessions/${old.body.id}/`, {
      climb_data: { holds: grid, startTime: old.body.start_time, endTime: null, status: 'failed' },
      status: 'abandoned', end_time: new Date(Date.parse(old.body.start_time) + 65000).toISOString(),
    });
    check(patched.status === 200, `PATCH: ${patched.status} ${JSON.stringify(patched.body)}`);
    const live = await b.rest('POST', '/api/sessions/', { route: route.body.id });
    check(live.status === 201, `POST /api/sessions/: ${live.status}`);
    sessions.old = old.body;
    sessions.live = live.body;
    sessions.route = route.body;
  });

  await step('the page loads from belayd and refuses a bad token', async () => {
    page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
    page.on('pageerror', (err) => failures.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') console.log(`console: ${msg.text()}`);
    });
    // The page's sockets pass through proxies the test reads and can cut
    // (routes take effect for pages loaded after them).
    await page.routeWebSocket(/\/ws\/session-live\//, (ws) => {
      const server = ws.connectToServer();
      liveSockets.push({ url: ws.url(), ws, server });
    });
    await page.routeWebSocket(/\/ws\/session\//, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((m) => { replayOut.push(JSON.parse(m)); server.send(m); });
      server.onMessage((m) => { replayIn.push(JSON.parse(m)); ws.send(m); });
    });
    const response = await page.goto(`${b.origin}/`);
    check(response.status() === 200, `GET /: ${response.status()}`);
    check((response.headers()['content-type'] || '').startsWith('text/html'), 'GET / is not text/html');
    await page.waitForSelector('#signin-view:not([hidden])', WAIT);
    await page.fill('#token-input', 'not-a-token');
    await page.click('#signin');
    await page.waitForFunction(() => /refused/.test(document.getElementById('signin-error').textContent), null, WAIT);
  });

  await step('sign in; the list shows the live session first, marked live', async () => {
    await page.fill('#token-input', b.token);
    await page.click('#signin');
    await page.waitForSelector(`li.session[data-session-id="${sessions.live.id}"][data-status="started"] button[data-action="live"]`, WAIT);
    await page.waitForSelector(`li.session[data-session-id="${sessions.old.id}"][data-status="abandoned"]`, WAIT);
    const ids = await page.$$eval('li.session', (nodes) => nodes.map((n) => n.dataset.sessionId));
    check(ids[0] === sessions.live.id, `newest first: ${ids}`);
    check(await page.$(`li.session[data-session-id="${sessions.old.id}"] button[data-action="live"]`) === null,
      'a finished session offers no live view');
    const stored = await page.evaluate(() => localStorage.getItem('belay.token'));
    check(stored === b.token, 'the token is remembered');
    await page.waitForFunction((id) => {
      const li = document.querySelector(`li.session[data-session-id="${id}"] .session-title`);
      return li && li.textContent.includes('Blue Arete');
    }, sessions.live.id, WAIT);
    await page.screenshot({ path: path.join(outDir, 'viewer-list.png') });
  });

  await step('open it live: the route\'s holds at their coordinates, untouched', async () => {
    await page.click(`li.session[data-session-id="${sessions.live.id}"] button[data-action="live"]`);
    await page.waitForSelector('#session-view:not([hidden])[data-mode="live"]', WAIT);
    await page.waitForFunction((n) => document.querySelectorAll('#holds .hold[data-status="untouched"]').length === n,
      ROUTE_HOLDS.length, WAIT);
    await page.waitForSelector('#status[data-status="started"]', WAIT);
    await page.waitForFunction(() => document.getElementById('route-name').textContent === 'Blue Arete', null, WAIT);
    check(await page.textContent('#route-grade') === '6b+', 'grade shown');
    check(await page.getAttribute('#mode-live', 'aria-pressed') === 'true', '#mode-live pressed');
    // h1 sits at x 0.36, y 0.88 of the wall: left of and below h8 (0.54, 0.10).
    const box = async (id) => page.locator(`${holdSelector(id)} .hold-body`).boundingBox();
    const h1 = await box('h1');
    const h8 = await box('h8');
    const wall = await page.locator('#wall .wall-bg').boundingBox();
    const rel = (b1) => [(b1.x + b1.width / 2 - wall.x) / wall.width, (b1.y + b1.height / 2 - wall.y) / wall.height];
    const [x1, y1] = rel(h1);
    const [x8, y8] = rel(h8);
    check(Math.abs(x1 - 0.36) < 0.01 && Math.abs(y1 - 0.88) < 0.01, `h1 drawn at ${x1},${y1}`);
    check(Math.abs(x8 - 0.54) < 0.01 && Math.abs(y8 - 0.1) < 0.01, `h8 drawn at ${x8},${y8}`);
    check(await page.$('#skeleton.no-pose') !== null, 'no skeleton before the first pose');
    await page.evaluate(recordHoldChanges);
  });

  let endTime;
  let feeder;
  await step('a climb fed live: holds change colour one by one, the skeleton follows', async () => {
    feeder = new Feeder(WebSocket, `ws://127.0.0.1:${b.port}/ws/session-live/${sessions.live.id}/?token=${b.token}`);
    await feeder.open();
    let dropped = false;
    endTime = await feeder.climb(sessions.live.start_time, async (i, status) => {
      // Each state shows before the climb goes on (a loaded machine may
      // render less often than the holds change).
      if (status === 'grabbed') await page.waitForSelector(holdSelector(ROUTE_HOLDS[i].id, 'grabbed'), WAIT);
      if (i === 1 && status === 'grabbed') {
        await page.waitForSelector(`#skeleton:not(.no-pose)[data-landmarks="${VISIBLE_LANDMARKS}"]`, WAIT);
      }
      if (i === 3 && status === 'completed') {
        await page.waitForSelector('#progress[data-completed="4"][data-total="8"]', WAIT);
        await page.screenshot({ path: path.join(outDir, 'viewer.png') });
        // Cut the page's socket: it must come back with after_seq and miss nothing.
        const s = liveSockets[liveSockets.length - 1];
        s.ws.close({ code: 4000, reason: 'test: dropped' });
        s.server.close();
        dropped = true;
      }
    });
    check(dropped, 'the socket was dropped once');
    await page.waitForSelector('#status[data-status="completed"]', WAIT);
    await page.waitForSelector('#progress[data-completed="8"][data-total="8"]', WAIT);
    const statuses = await holdStatuses(page);
    check(Object.values(statuses).every((s) => s === 'completed'), `all completed: ${JSON.stringify(statuses)}`);
    const log = await page.evaluate(() => window.holdLog);
    for (const h of ROUTE_HOLDS) {
      const seen = log.filter(([id]) => id === h.id).map(([, s]) => s);
      check(seen.includes('completed') && seen.indexOf('completed') === seen.length - 1,
        `${h.id} ends completed: ${seen}`);
      check(seen.includes('grabbed') && seen.indexOf('grabbed') < seen.indexOf('completed'),
        `${h.id} grabbed, then completed: ${seen}`);
    }
    const completedOrder = log.filter(([, s]) => s === 'completed').map(([id]) => id);
    check(JSON.stringify(completedOrder) === JSON.stringify(ROUTE_HOLDS.map((h) => h.id)), `completion order ${completedOrder}`);
    const colour = await page.$eval(`${holdSelector('h1')} .hold-body`, (n) => getComputedStyle(n).fill);
    check(colour === 'rgb(34, 211, 107)', `a completed hold is green: ${colour}`);
  });

  await step('the dropped socket resumed with after_seq: every pose frame exactly once', async () => {
    check(liveSockets.length >= 2, `reconnected: ${liveSockets.map((s) => s.url)}`);
    const resumed = new URL(liveSockets[1].url);
    check(/^\d+$/.test(resumed.searchParams.get('after_seq') || ''), `after_seq in ${liveSockets[1].url}`);
    await page.waitForFunction((n) => document.getElementById('skeleton').dataset.poseFrames === String(n),
      feeder.frames, WAIT).catch(async () => {
      const got = await page.getAttribute('#skeleton', 'data-pose-frames');
      throw new Error(`pose frames: the page folded ${got}, the feeder sent ${feeder.frames}`);
    });
  });

  await step('the timer stops at end_time − start_time', async () => {
    const expected = Date.parse(endTime) - Date.parse(sessions.live.start_time);
    await page.waitForFunction((ms) => document.getElementById('timer').dataset.ms === String(ms), expected, WAIT)
      .catch(async () => {
        throw new Error(`timer ${await page.getAttribute('#timer', 'data-ms')}, expected ${expected}`);
      });
    check(!(await page.$eval('#timer', (n) => n.classList.contains('running'))), 'the timer stopped');
  });
  feeder.close();

  // ---- replay -------------------------------------------------------------
  await step('replay at 16×: the climb again, to the end', async () => {
    await page.click('#mode-replay');
    await page.waitForSelector('#session-view[data-mode="replay"] #replay-controls:not([hidden])', WAIT);
    await page.waitForSelector('#play[data-state="playing"]', WAIT);
    await page.selectOption('#speed', '16');
    await page.evaluate(recordHoldChanges);
    await page.waitForSelector('#play[data-state="ended"]', { timeout: 60000 });
    await page.waitForSelector('#progress[data-completed="8"]', WAIT);
    await page.waitForSelector('#status[data-status="completed"]', WAIT);
    check(replayOut.some((m) => m.type === 'set_speed' && m.speed === 16), `set_speed sent: ${JSON.stringify(replayOut)}`);
    const info = replayIn.find((m) => m.type === 'replay_info');
    check(info && info.duration_ms > 0, `replay_info: ${JSON.stringify(info)}`);
    const max = Number(await page.getAttribute('#scrubber', 'max'));
    check(max === info.duration_ms, `scrubber max ${max} = duration_ms ${info.duration_ms}`);
    const log = await page.evaluate(() => window.holdLog);
    const completedOrder = log.filter(([, s]) => s === 'completed').map(([id]) => id);
    check(JSON.stringify(completedOrder) === JSON.stringify(ROUTE_HOLDS.map((h) => h.id)), `replayed completion order ${completedOrder}`);
  });

  await step('seek with the scrubber while paused: the state at that moment', async () => {
    await page.click('#play'); // ended: starts again from 0
    await page.waitForSelector('#play[data-state="playing"]', WAIT);
    await page.click('#play');
    await page.waitForSelector('#play[data-state="paused"]', WAIT);
    // Midway between the climb_updated that completed h3 and the next one.
    const climbs = replayIn.filter((m) => m.type === 'climb_updated');
    const k = climbs.findIndex((m) => m.climb.holds.filter((h) => h.status === 'completed').length === 3);
    check(k > 0 && climbs[k + 1], `climb events: ${climbs.length}`);
    const target = Math.round((climbs[k].offset_ms + climbs[k + 1].offset_ms) / 2);
    const seeksBefore = replayIn.filter((m) => m.type === 'session_state').length;
    await page.locator('#scrubber').fill(String(target));
    check(replayOut.some((m) => m.type === 'seek' && m.offset_ms === target), `seek sent: ${JSON.stringify(replayOut.slice(-3))}`);
    await page.waitForFunction(() => document.querySelector('#progress').dataset.completed === '3', null, WAIT);
    await page.waitForTimeout(300); // paused: nothing more may change
    check(replayIn.filter((m) => m.type === 'session_state').length > seeksBefore, 'the seek was answered with session_state');
    const statuses = await holdStatuses(page);
    const expected = Object.fromEntries(ROUTE_HOLDS.map((h, i) => [h.id, i < 3 ? 'completed' : 'untouched']));
    check(JSON.stringify(statuses) === JSON.stringify(expected), `holds after the seek: ${JSON.stringify(statuses)}`);
    await page.waitForSelector('#status[data-status="started"]', WAIT);
    check(await page.$('#skeleton.no-pose') !== null, 'the skeleton waits for the next pose');
    const offset = Number(await page.getAttribute('#scrubber', 'data-offset-ms'));
    check(Math.abs(offset - target) <= 5, `scrubber at ${offset}, sought ${target}`);
    const timer = Number(await page.getAttribute('#timer', 'data-ms'));
    const first = replayIn.find((m) => m.seq === 1);
    const expectedTimer = Date.parse(first.ts) + target - Date.parse(sessions.live.start_time);
    check(Math.abs(timer - expectedTimer) <= 50, `timer ${timer} ms, expected ${expectedTimer}`);
  });

  await step('play on from there at 2×: the skeleton comes back, the climb ends', async () => {
    await page.selectOption('#speed', '2');
    await page.click('#play');
    await page.waitForSelector(`#skeleton:not(.no-pose)[data-landmarks="${VISIBLE_LANDMARKS}"]`, WAIT);
    await page.waitForSelector('#progress[data-completed="4"]', WAIT);
    await page.screenshot({ path: path.join(outDir, 'viewer-replay.png') });
    await page.waitForSelector('#play[data-state="ended"]', { timeout: 60000 });
    await page.waitForSelector('#progress[data-completed="8"]', WAIT);
  });

  await step('a session without a route: its climb\'s holds on a grid', async () => {
    await page.goto(`${b.origin}/#/replay/${sessions.old.id}`);
    await page.waitForSelector('#session-view[data-mode="replay"]', WAIT);
    await page.waitForSelector('#play[data-state="ended"]', WAIT);
    await page.waitForFunction(() => document.querySelectorAll('#holds .hold').length === 6, null, WAIT);
    const spots = await page.$$eval('#holds .hold', (nodes) => nodes.map((n) => n.getAttribute('transform')));
    check(new Set(spots).size === 6 && spots.every((t) => /^translate\(\d/.test(t)), `grid: ${spots}`);
    check(await page.textContent('#route-name') === 'No route', 'no route named');
    await page.waitForSelector('#progress[data-completed="4"][data-total="6"]', WAIT);
    await page.waitForSelector('#status[data-status="abandoned"]', WAIT);
    check(await page.getAttribute('#timer', 'data-ms') === '65000', 'abandoned after 65 s');
  });
}

async function run() {
  const failures = [];
  let b;
  let browser;
  try {
    b = await Belayd.start(belaydBinary, ['--web-dir', webDir]);
    browser = await chromium.launch({
      executablePath: process.env.BELAY_CHROMIUM || '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu'],
    });
    await main(b, browser, failures);
  } catch (err) {
    failures.push(err.stack || String(err));
    if (browser) {
      const [page] = browser.contexts().flatMap((c) => c.pages());
      if (page) await page.screenshot({ path: path.join(outDir, 'viewer-failure.png') }).catch(() => {});
    }
  }
  if (browser) await browser.close().catch(() => {});
  if (b) {
    const code = await b.stop();
    if (code !== 0) failures.push(`belayd exited with ${code}:\n${b.output().split('\n').slice(-40).join('\n')}`);
  }
  for (const f of failures) console.log(`FAIL ${f}`);
  console.log(`${passed} passed, ${failures.length} failed`);
  process.exit(failures.length ? 1 : 0);
}

run();
