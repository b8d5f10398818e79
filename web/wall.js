// The wall as SVG: the route's holds at their coordinates, coloured by
// their status in the latest climb, and the climber's pose skeleton. Both
// use x, y in 0..1 over the same wall area, y = 0 at the top.
//
// Tests read the attributes: each hold is <g class="hold" data-hold-id
// data-type data-status>; the skeleton is <g id="skeleton"
// data-landmarks="N"> (N visible landmarks, 0 = none drawn).

const NS = 'http://www.w3.org/2000/svg';
const HEIGHT = 1000; // user units; the width follows the wall's aspect
const HOLD_RADIUS = 22;
const MIN_VISIBILITY = 0.3;

// MediaPipe Pose's 33-landmark connections (POSE_CONNECTIONS).
export const POSE_CONNECTIONS = [
  [0, 1], [1, 2], [2, 3], [3, 7], [0, 4], [4, 5], [5, 6], [6, 8], [9, 10],
  [11, 12], [11, 13], [13, 15], [15, 17], [15, 19], [15, 21], [17, 19],
  [12, 14], [14, 16], [16, 18], [16, 20], [16, 22], [18, 20],
  [11, 23], [12, 24], [23, 24], [23, 25], [24, 26], [25, 27], [26, 28],
  [27, 29], [28, 30], [29, 31], [30, 32], [27, 31], [28, 32],
];
const LANDMARKS = 33;

// MediaPipe's left landmarks are odd (1–3, 7, 9, 11 … 31), right even.
function side(i) {
  if (i === 0) return 'mid';
  return i % 2 === 1 ? 'left' : 'right';
}

function el(name, attrs = {}, parent = null) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (parent) parent.appendChild(node);
  return node;
}

const finite01 = (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1;

// Places `items` on a grid inside the region (wall units), filling from the
// bottom row up, so a climb's first holds sit low and its last high.
function grid(items, region, aspect) {
  const n = items.length;
  const w = (region.x1 - region.x0) * aspect;
  const h = region.y1 - region.y0;
  const cols = Math.max(1, Math.min(n, Math.ceil(Math.sqrt((n * w) / h))));
  const rows = Math.ceil(n / cols);
  const cell = Math.min((w / cols) * HEIGHT, (h / rows) * HEIGHT);
  items.forEach((item, i) => {
    const row = Math.floor(i / cols);
    const k = i % cols;
    const col = row % 2 === 0 ? k : cols - 1 - k; // zig-zag upwards
    item.x = region.x0 + ((col + 0.5) / cols) * (region.x1 - region.x0);
    item.y = region.y1 - ((row + 0.5) / rows) * h;
    item.radius = Math.min(HOLD_RADIUS, cell * 0.3);
  });
}

// The holds to draw: the route's (with its coordinates) and the climb's
// (with their status), matched by id. Holds without coordinates are laid
// on a grid: over the whole wall when none has any, else along its foot.
export function layoutHolds(routeHolds, climbHolds, aspect) {
  const status = new Map(climbHolds.map((h) => [String(h.id), h]));
  const seen = new Set();
  const out = [];
  const add = (routeHold, climbHold) => {
    const id = String((routeHold || climbHold).id);
    if (seen.has(id)) return;
    seen.add(id);
    const placed = routeHold && finite01(routeHold.x) && finite01(routeHold.y);
    out.push({
      id,
      type: (climbHold && climbHold.type) || (routeHold && routeHold.type) || 'normal',
      status: (climbHold && climbHold.status) || 'untouched',
      x: placed ? routeHold.x : null,
      y: placed ? routeHold.y : null,
      radius: HOLD_RADIUS,
    });
  };
  for (const r of routeHolds) add(r, status.get(String(r.id)));
  for (const c of climbHolds) add(null, c);
  const loose = out.filter((h) => h.x === null);
  if (loose.length === out.length) grid(loose, { x0: 0.08, y0: 0.06, x1: 0.92, y1: 0.94 }, aspect);
  else if (loose.length) grid(loose, { x0: 0.04, y0: 0.9, x1: 0.96, y1: 0.98 }, aspect);
  return out;
}

export class Wall {
  constructor(svg, aspect = 0.75) {
    this.svg = svg;
    this.aspect = aspect;
    this.width = Math.round(HEIGHT * aspect);
    this.holdNodes = new Map();
    svg.setAttribute('viewBox', `0 0 ${this.width} ${HEIGHT}`);
    svg.setAttribute('preserveAspectRatio', 'xMidYMid meet');
    svg.replaceChildren();
    this.drawBackground();
    this.holdLayer = el('g', { id: 'holds' }, svg);
    this.empty = el('text', { id: 'wall-empty', x: this.width / 2, y: HEIGHT / 2 }, svg);
    this.empty.textContent = 'Waiting for the climb…';
    this.drawSkeleton();
  }

  drawBackground() {
    const defs = el('defs', {}, this.svg);
    const pattern = el('pattern', {
      id: 'tnuts', width: 50, height: 50, patternUnits: 'userSpaceOnUse',
    }, defs);
    el('circle', { cx: 25, cy: 25, r: 2.2, class: 'tnut' }, pattern);
    const gradient = el('linearGradient', { id: 'wall-shade', x1: 0, y1: 0, x2: 0, y2: 1 }, defs);
    el('stop', { offset: '0', class: 'wall-shade-top' }, gradient);
    el('stop', { offset: '1', class: 'wall-shade-bottom' }, gradient);
    el('rect', { class: 'wall-bg', width: this.width, height: HEIGHT, rx: 14, fill: 'url(#wall-shade)' }, this.svg);
    el('rect', { class: 'wall-tnuts', width: this.width, height: HEIGHT, rx: 14, fill: 'url(#tnuts)' }, this.svg);
  }

  drawSkeleton() {
    this.skeleton = el('g', { id: 'skeleton', 'data-landmarks': 0, class: 'no-pose' }, this.svg);
    const shadows = el('g', { class: 'bones-shadow' }, this.skeleton);
    const bones = el('g', { class: 'bones' }, this.skeleton);
    const joints = el('g', { class: 'joints' }, this.skeleton);
    this.bones = POSE_CONNECTIONS.map(([a, b]) => {
      const cls = side(a) === side(b) ? side(a) : 'mid';
      return {
        a, b,
        shadow: el('line', { class: 'bone-shadow' }, shadows),
        line: el('line', { class: `bone ${cls}`, 'data-from': a, 'data-to': b }, bones),
      };
    });
    this.joints = [];
    for (let i = 0; i < LANDMARKS; i++) {
      const face = i > 0 && i < 11;
      this.joints.push(el('circle', {
        class: `joint ${side(i)}${face ? ' face' : ''}`, r: face ? 4 : 8, 'data-landmark': i,
      }, joints));
    }
  }

  // routeHolds: [{id, type, x, y}] (may be empty); climbHolds: the climb's.
  setHolds(routeHolds, climbHolds) {
    const holds = layoutHolds(routeHolds, climbHolds, this.aspect);
    const keep = new Set();
    for (const h of holds) {
      keep.add(h.id);
      let node = this.holdNodes.get(h.id);
      if (!node || node.dataset.type !== h.type) {
        if (node) node.remove();
        node = this.makeHold(h);
        this.holdNodes.set(h.id, node);
      }
      const x = (h.x * this.width).toFixed(1);
      const y = (h.y * HEIGHT).toFixed(1);
      node.setAttribute('transform', `translate(${x} ${y}) scale(${(h.radius / HOLD_RADIUS).toFixed(3)})`);
      if (node.dataset.status !== h.status) node.dataset.status = h.status;
    }
    for (const [id, node] of this.holdNodes) {
      if (!keep.has(id)) {
        node.remove();
        this.holdNodes.delete(id);
      }
    }
    this.empty.style.display = holds.length ? 'none' : '';
  }

  makeHold(h) {
    const g = el('g', { class: 'hold', 'data-hold-id': h.id, 'data-type': h.type }, this.holdLayer);
    const r = HOLD_RADIUS;
    el('circle', { class: 'hold-halo', r: r * 2 }, g);
    if (h.type === 'finish') {
      const s = r * 1.55;
      el('rect', { class: 'hold-ring', x: -s, y: -s, width: 2 * s, height: 2 * s, rx: 6 }, g);
    } else {
      el('circle', { class: 'hold-ring', r: r * 1.45 }, g);
      if (h.type === 'start') el('circle', { class: 'hold-ring', r: r * 1.85 }, g);
    }
    el('circle', { class: 'hold-body', r }, g);
    const label = el('text', { class: 'hold-label', y: 1 }, g);
    label.textContent = h.id.length > 4 ? h.id.slice(0, 4) : h.id;
    if (h.type !== 'normal') {
      const tag = el('text', { class: 'hold-tag', y: h.type === 'start' ? r * 2.9 : -r * 2.2 }, g);
      tag.textContent = h.type === 'start' ? 'START' : 'TOP';
    }
    return g;
  }

  // landmarks: [{x, y, z, visibility}] or null (no skeleton).
  setPose(landmarks) {
    const points = [];
    let visible = 0;
    for (let i = 0; i < LANDMARKS; i++) {
      const p = landmarks && landmarks[i];
      const ok = p && Number.isFinite(p.x) && Number.isFinite(p.y) &&
        !(typeof p.visibility === 'number' && p.visibility < MIN_VISIBILITY);
      points.push(ok ? [p.x * this.width, p.y * HEIGHT] : null);
      const joint = this.joints[i];
      if (ok) {
        visible += 1;
        joint.setAttribute('cx', points[i][0].toFixed(1));
        joint.setAttribute('cy', points[i][1].toFixed(1));
        joint.removeAttribute('visibility');
      } else {
        joint.setAttribute('visibility', 'hidden');
      }
    }
    for (const bone of this.bones) {
      const a = points[bone.a];
      const b = points[bone.b];
      for (const line of [bone.shadow, bone.line]) {
        if (a && b) {
          line.setAttribute('x1', a[0].toFixed(1));
          line.setAttribute('y1', a[1].toFixed(1));
          line.setAttribute('x2', b[0].toFixed(1));
          line.setAttribute('y2', b[1].toFixed(1));
          line.removeAttribute('visibility');
        } else {
          line.setAttribute('visibility', 'hidden');
        }
      }
    }
    this.skeleton.dataset.landmarks = String(visible);
    this.skeleton.classList.toggle('no-pose', visible === 0);
  }
}
