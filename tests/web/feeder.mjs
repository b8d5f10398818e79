// Feeds a climb over the live socket as a wall's rig would: pose frames at
// ~30 Hz and a climb_update each time a hold is grabbed or completed, the
// holds of the route one by one, then the session's end.

const FRAME_MS = 33;

// The route the test climbs: x, y in 0..1 over the wall, y = 0 at the top.
export const ROUTE_HOLDS = [
  { id: 'h1', type: 'start', x: 0.36, y: 0.88 },
  { id: 'h2', type: 'start', x: 0.6, y: 0.86 },
  { id: 'h3', type: 'normal', x: 0.46, y: 0.72 },
  { id: 'h4', type: 'normal', x: 0.64, y: 0.6 },
  { id: 'h5', type: 'normal', x: 0.38, y: 0.48 },
  { id: 'h6', type: 'normal', x: 0.6, y: 0.37 },
  { id: 'h7', type: 'normal', x: 0.44, y: 0.25 },
  { id: 'h8', type: 'finish', x: 0.54, y: 0.1 },
];

// Landmarks hidden by low visibility (the feet): the viewer draws 33 − 4.
export const HIDDEN_LANDMARKS = [29, 30, 31, 32];

// A standing climber, in wall-height units around the hips; left is -x.
const BODY = [
  [0, -0.62], [-0.015, -0.64], [-0.03, -0.64], [-0.045, -0.64], [0.015, -0.64], [0.03, -0.64],
  [0.045, -0.64], [-0.06, -0.62], [0.06, -0.62], [-0.02, -0.58], [0.02, -0.58],
  [-0.1, -0.45], [0.1, -0.45], [-0.18, -0.56], [0.18, -0.56], [-0.2, -0.72], [0.2, -0.72],
  [-0.21, -0.75], [0.21, -0.75], [-0.2, -0.76], [0.2, -0.76], [-0.19, -0.74], [0.19, -0.74],
  [-0.07, 0], [0.07, 0], [-0.13, 0.18], [0.13, 0.18], [-0.12, 0.38], [0.12, 0.38],
  [-0.13, 0.4], [0.13, 0.4], [-0.1, 0.42], [0.1, 0.42],
];

export function pose(cx, cy, t, aspect = 0.75) {
  const scale = 0.4;
  return BODY.map(([dx, dy], i) => {
    const arm = i >= 13 && i <= 22 ? Math.sin(t * 3 + (i % 2) * Math.PI) * 0.05 : 0;
    return {
      x: Math.min(1, Math.max(0, cx + (dx * scale) / aspect)),
      y: Math.min(1, Math.max(0, cy + (dy + arm) * scale)),
      z: 0.1,
      visibility: HIDDEN_LANDMARKS.includes(i) ? 0.1 : 0.95,
    };
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class Feeder {
  // WebSocket: the ws package's class; url: the live socket with the token.
  constructor(WebSocket, url) {
    this.WebSocket = WebSocket;
    this.url = url;
    this.frames = 0;
    this.acks = new Map();
    this.nextId = 0;
  }

  async open() {
    this.ws = new this.WebSocket(this.url);
    const first = new Promise((resolve, reject) => {
      this.ws.once('error', reject);
      this.ws.on('message', (data) => {
        const msg = JSON.parse(data.toString());
        if (msg.type === 'session_state') resolve(msg);
        if (msg.type === 'ack' && this.acks.has(msg.id)) {
          this.acks.get(msg.id)(msg.seq);
          this.acks.delete(msg.id);
        }
        if (msg.type === 'error') this.error = msg;
      });
    });
    this.state = await first;
    return this.state;
  }

  // Sends and waits until the event is durably in the log.
  send(msg) {
    const id = `feed-${this.nextId++}`;
    const acked = new Promise((resolve) => this.acks.set(id, resolve));
    this.ws.send(JSON.stringify({ ...msg, id }));
    return acked;
  }

  async frames30(count, from, to) {
    for (let i = 0; i < count; i++) {
      const k = count > 1 ? i / (count - 1) : 1;
      const cx = from[0] + (to[0] - from[0]) * k;
      const cy = from[1] + (to[1] - from[1]) * k;
      this.ws.send(JSON.stringify({ type: 'pose_update', pose: pose(cx, cy, this.frames * 0.033) }));
      this.frames += 1;
      await sleep(FRAME_MS);
    }
  }

  // The whole climb; returns its end time. onHold(i, status) is awaited
  // after each climb_update.
  async climb(startTime, onHold = async () => {}) {
    const holds = ROUTE_HOLDS.map((h) => ({ id: h.id, type: h.type, status: 'untouched', time: null }));
    const climb = (status, end = null) => ({
      holds: holds.map((h) => ({ ...h })), startTime, endTime: end, status,
    });
    await this.send({ type: 'climb_update', climb: climb('started') });
    let at = [0.48, 0.8];
    for (let i = 0; i < holds.length; i++) {
      const hold = ROUTE_HOLDS[i];
      const to = [hold.x, Math.min(0.8, hold.y + 0.26)]; // hips below the hand
      await this.frames30(10, at, to);
      at = to;
      holds[i].status = 'grabbed';
      holds[i].time = new Date().toISOString();
      await this.send({ type: 'climb_update', climb: climb('started') });
      await onHold(i, 'grabbed');
      await this.frames30(8, at, at);
      holds[i].status = 'completed';
      await this.send({ type: 'climb_update', climb: climb('started') });
      await onHold(i, 'completed');
    }
    await this.frames30(5, at, at);
    const endTime = new Date().toISOString();
    await this.send({ type: 'climb_update', climb: climb('completed', endTime) });
    await this.send({ type: 'session_update', status: 'completed', end_time: endTime });
    return endTime;
  }

  close() {
    this.ws.close();
  }
}
