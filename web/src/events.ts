//! Live events over one WebSocket, with catch-up and reconnect, from two kinds of ordered stream.
//!
//! The user's own stream (seq) carries everything but the messages, recalls and reactions of
//! large groups: those are written once into the group's own stream, and its frames name the
//! group (`conversation_id`) and carry their position in it as `seq`. Positions are the truth
//! (docs/api-v1.md "Event stream"): on first start the client asks `GET /sync/latest` for the
//! newest seq and each large group's position, then opens
//! `/ws?since=<seq>&conversations=<id>:<pos>,…`; the server catches each up from there. Both are
//! kept per corp and user, so a reload resumes without replaying. Features subscribe by kind,
//! whichever stream an event came from:
//!
//!   const off = subscribe('corp.verified', (e) => ...);   // or useEvent(kind, handler)
//!
//! A position the server cannot continue from (events after it were pruned because the device
//! was away longer than the server keeps them, or the server's database was restored to before
//! it) gets a `{"type":"reset"}` frame: the client starts again from the newest positions and
//! reloads the page, so every view is read anew rather than missing what was pruned.

import { useEffect, useRef } from 'preact/hooks';
import { ApiError, me, sync } from './api';
import { wipeCache } from './cache';
import { conversationsParam, raise } from './group-streams';
import { lastStreamReset, streamPositions, streamResetNotice, streamSeq } from './storage';
import type { StreamEvent } from './types';

export type ConnectionState = 'idle' | 'syncing' | 'connecting' | 'open' | 'reconnecting' | 'unauthorized';
export type Handler = (event: StreamEvent) => void;

/** Subscribe to every kind. */
export const ANY = '*';

const MAX_BACKOFF_MS = 30_000;
/** A connection that stayed open this long resets the backoff. */
const STABLE_MS = 10_000;
/** A reset this soon after the last one connects instead of reloading again (no reload loop). */
const RESET_RELOAD_GAP_MS = 60_000;
/** At most this long for the message cache to be wiped before the page reloads anyway. */
const WIPE_WAIT_MS = 2_000;

const handlers = new Map<string, Set<Handler>>();
const stateListeners = new Set<(state: ConnectionState) => void>();
let state: ConnectionState = 'idle';
let run: Run | null = null;

export function subscribe(kind: string, handler: Handler): () => void {
  let set = handlers.get(kind);
  if (!set) handlers.set(kind, (set = new Set()));
  set.add(handler);
  return () => void set.delete(handler);
}

/** Hook form of `subscribe`; the latest handler is always called, without resubscribing. */
export function useEvent(kind: string, handler: Handler): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => subscribe(kind, (e) => ref.current(e)), [kind]);
}

export function connectionState(): ConnectionState {
  return state;
}

export function onConnectionState(fn: (state: ConnectionState) => void): () => void {
  stateListeners.add(fn);
  return () => void stateListeners.delete(fn);
}

function setState(next: ConnectionState): void {
  state = next;
  // Exposed for browser tests and debugging: <html data-ws="open">.
  document.documentElement.dataset.ws = next;
  stateListeners.forEach((fn) => fn(next));
}

function dispatch(event: StreamEvent): void {
  for (const kind of [event.kind, ANY]) {
    handlers.get(kind)?.forEach((fn) => {
      try {
        fn(event);
      } catch (err) {
        console.error('event handler failed', event.kind, err);
      }
    });
  }
}

/** Starts (or keeps) the stream for this user; a different user restarts it. */
export function startEvents(corpid: string, userid: string): void {
  if (run && run.corpid === corpid && run.userid === userid && !run.stopped) return;
  stopEvents();
  run = new Run(corpid, userid);
  void run.start();
}

export function stopEvents(): void {
  run?.stop();
  run = null;
  setState('idle');
}

function isUnauthorized(err: unknown): boolean {
  return err instanceof ApiError && err.status === 401;
}

class Run {
  stopped = false;
  private ws: WebSocket | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private seq = 0;
  private lastReceived = -1;
  /** Large groups: the position reached in each, and the last seq received from each on this run. */
  private positions = new Map<string, number>();
  private received = new Map<string, number>();
  private onOnline = () => {
    if (!this.ws && this.timer && !this.stopped) {
      clearTimeout(this.timer);
      this.timer = null;
      this.attempt = 0;
      this.connect();
    }
  };

  constructor(
    readonly corpid: string,
    readonly userid: string,
  ) {}

  async start(): Promise<void> {
    window.addEventListener('online', this.onOnline);
    const known = streamSeq.get(this.corpid, this.userid);
    if (known !== null) {
      this.seq = known;
      this.positions = streamPositions.get(this.corpid, this.userid);
      this.connect();
      return;
    }
    if (await this.takeLatest(() => void this.start())) this.connect();
  }

  /**
   * Takes where the streams end now (a new device starts there, old events are not replayed)
   * and stores it. False when it could not: the run ended, or `again` is scheduled.
   */
  private async takeLatest(again: () => void): Promise<boolean> {
    setState('syncing');
    try {
      const { seq, conversations } = await sync.latest();
      const positions = new Map<string, number>();
      for (const [id, pos] of Object.entries(conversations ?? {})) raise(positions, id, Number(pos) || 0);
      if (this.stopped) return false;
      this.seq = Number(seq) || 0;
      this.positions = positions;
    } catch (err) {
      if (this.stopped) return false;
      if (isUnauthorized(err)) this.unauthorized();
      else this.retry(again);
      return false;
    }
    // Positions first: a stored seq is what says they were stored too.
    streamPositions.set(this.corpid, this.userid, this.positions);
    streamSeq.set(this.corpid, this.userid, this.seq);
    return true;
  }

  private connect(): void {
    if (this.stopped) return;
    setState(this.attempt === 0 ? 'connecting' : 'reconnecting');
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    // Always named, even empty: it tells the server this client follows large groups' streams.
    const groups = encodeURIComponent(conversationsParam(this.positions));
    const ws = new WebSocket(`${proto}//${location.host}/api/v1/ws?since=${this.seq}&conversations=${groups}`);
    this.ws = ws;
    let openedAt = 0;
    ws.onopen = () => {
      openedAt = Date.now();
      setState('open');
    };
    ws.onmessage = (msg) => this.receive(msg.data);
    ws.onclose = () => {
      if (this.ws !== ws || this.stopped) return;
      this.ws = null;
      if (openedAt && Date.now() - openedAt > STABLE_MS) this.attempt = 0;
      // A revoked session closes the socket and every new upgrade fails: ask before retrying.
      this.retry(() => {
        me.get().then(
          () => this.connect(),
          (err: unknown) => (isUnauthorized(err) ? this.unauthorized() : this.connect()),
        );
      });
    };
  }

  private receive(raw: unknown): void {
    if (typeof raw !== 'string') return;
    let msg: { type?: string; conversation_id?: unknown; event?: StreamEvent };
    try {
      msg = JSON.parse(raw) as typeof msg;
    } catch {
      return;
    }
    if (msg.type === 'reset') return void this.reset();
    const event = msg.event;
    if (msg.type !== 'event' || !event || typeof event.seq !== 'number' || typeof event.kind !== 'string') return;
    const group = msg.conversation_id;
    if (typeof group === 'string') {
      // A large group's stream: `seq` is the position in it, so replays are told apart per group
      // (every group seen on this run, no cap) and the position is kept per group.
      if (!raise(this.received, group, event.seq, Infinity)) return; // a replay after a reconnect race
      if (raise(this.positions, group, event.seq)) streamPositions.set(this.corpid, this.userid, this.positions);
    } else {
      if (event.seq <= this.lastReceived) return; // a replay after a reconnect race
      this.lastReceived = event.seq;
      if (event.seq > this.seq) {
        this.seq = event.seq;
        streamSeq.set(this.corpid, this.userid, event.seq);
      }
    }
    this.attempt = 0;
    dispatch({ ...event, data: event.data ?? {} });
  }

  /**
   * The server cannot continue from our positions: take the newest ones, drop the message cache
   * (it may hold what was recalled or purged meanwhile) and reload, so that every view is read
   * from the server again. The socket is let go first: its close must not reconnect from the
   * old positions.
   */
  private async reset(): Promise<void> {
    const ws = this.ws;
    this.ws = null;
    ws?.close();
    if (!(await this.takeLatest(() => void this.reset()))) return;
    this.received.clear();
    this.lastReceived = -1;
    if (Date.now() - lastStreamReset.get() < RESET_RELOAD_GAP_MS) return this.connect();
    lastStreamReset.set(Date.now());
    streamResetNotice.set();
    await Promise.race([wipeCache(), new Promise((r) => setTimeout(r, WIPE_WAIT_MS))]);
    location.reload();
  }

  private retry(fn: () => void): void {
    if (this.stopped) return;
    setState('reconnecting');
    const base = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 10);
    // Jitter so that many clients of a restarted server do not come back in step.
    const delay = base * (0.75 + Math.random() * 0.5);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.stopped) fn();
    }, delay);
  }

  private unauthorized(): void {
    this.stop();
    setState('unauthorized');
  }

  stop(): void {
    this.stopped = true;
    window.removeEventListener('online', this.onOnline);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const ws = this.ws;
    this.ws = null;
    ws?.close();
  }
}
