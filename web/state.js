// What a viewer shows, folded from socket messages. Live and replay send the
// same messages, so both fold them here.

export const HOLD_STATUSES = ['untouched', 'grabbed', 'completed', 'released', 'failed'];

export function emptyState() {
  return {
    session: null, // the session's fields as of `seq`
    climb: null, // the latest climb ({holds, startTime, endTime, status})
    pose: null, // the latest landmarks, or null: no skeleton
    poseFrames: 0, // pose_updated messages folded
    seq: 0,
  };
}

// Keys of a message that are about the message, not the session.
const ENVELOPE = new Set(['type', 'session_id', 'seq', 'ts', 'offset_ms']);

function climbOf(session) {
  const c = session && session.climb_data;
  return c && typeof c === 'object' ? c : null;
}

// Folds one message into `state`; returns whether it was one that shows.
// A session_state clears the skeleton (it waits for the next pose) unless
// keepPose: a live resume re-sends the state without going back in time.
export function applyMessage(state, msg, { keepPose = false } = {}) {
  switch (msg.type) {
    case 'session_state':
      state.session = { ...msg.session };
      state.climb = climbOf(state.session);
      if (!keepPose) state.pose = null;
      break;
    case 'session_created':
    case 'session_updated': {
      const session = { ...(state.session || {}) };
      for (const [key, value] of Object.entries(msg)) {
        if (!ENVELOPE.has(key)) session[key] = value;
      }
      state.session = session;
      if ('climb_data' in msg) state.climb = climbOf(session);
      if (msg.type === 'session_created') state.pose = null;
      break;
    }
    case 'climb_updated':
      state.climb = msg.climb && typeof msg.climb === 'object' ? msg.climb : null;
      if (state.session) state.session = { ...state.session, climb_data: msg.climb };
      break;
    case 'pose_updated':
      state.pose = Array.isArray(msg.pose) ? msg.pose : null;
      state.poseFrames += 1;
      break;
    default:
      return false;
  }
  if (typeof msg.seq === 'number') state.seq = msg.seq;
  return true;
}

export function climbHolds(climb) {
  return climb && Array.isArray(climb.holds) ? climb.holds : [];
}

// {completed, total} over the climb's holds, or the route's while no climb
// has come.
export function progress(climb, route) {
  const holds = climbHolds(climb);
  const total = holds.length || (route && Array.isArray(route.holds) ? route.holds.length : 0);
  const completed = holds.filter((h) => h.status === 'completed').length;
  return { completed, total };
}

function parseTime(text) {
  const t = text ? Date.parse(text) : NaN;
  return Number.isFinite(t) ? t : null;
}

// Milliseconds the attempt has lasted at `nowMs` (ms since the epoch): to
// its end_time once over, or null when there is no start to count from.
export function elapsedMs(session, nowMs) {
  if (!session) return null;
  const start = parseTime(session.start_time);
  if (start === null) return null;
  const end = parseTime(session.end_time);
  if (end !== null) return Math.max(0, end - start);
  if (session.status && session.status !== 'started') return null;
  return Math.max(0, nowMs - start);
}
