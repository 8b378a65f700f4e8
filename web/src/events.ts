//! Live events: the user's ordered stream (seq) over a WebSocket, with catch-up and reconnect.
//!
//! The stream position is the truth (docs/api-v1.md "Event stream"): on first start the client
//! asks `GET /sync/latest` for the newest seq, then opens `/ws?since=<seq>`; the
//! server catches up from there. The last seq seen is kept per corp and user, so a reload
//! resumes without replaying. Features subscribe by kind:
//!
//!   const off = subscribe('corp.verified', (e) => ...);   // or useEvent(kind, handler)

import { useEffect, useRef } from 'preact/hooks';
import { ApiError, me, sync } from './api';
import { streamSeq } from './storage';
import type { StreamEvent } from './types';

export type ConnectionState = 'idle' | 'syncing' | 'connecting' | 'open' | 'reconnecting' | 'unauthorized';
export type Handler = (event: StreamEvent) => void;

/** Subscribe to every kind. */
export const ANY = '*';

const MAX_BACKOFF_MS = 30_000;
/** A connection that stayed open this long resets the backoff. */
const STABLE_MS = 10_000;

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
      this.connect();
      return;
    }
    setState('syncing');
    try {
      this.seq = await this.latestSeq();
    } catch (err) {
      if (this.stopped) return;
      if (isUnauthorized(err)) return this.unauthorized();
      this.retry(() => void this.start());
      return;
    }
    if (this.stopped) return;
    streamSeq.set(this.corpid, this.userid, this.seq);
    this.connect();
  }

  /** Where the stream ends now; a new device starts there, old events are not replayed. */
  private async latestSeq(): Promise<number> {
    const { seq } = await sync.latest();
    return Number(seq) || 0;
  }

  private connect(): void {
    if (this.stopped) return;
    setState(this.attempt === 0 ? 'connecting' : 'reconnecting');
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${proto}//${location.host}/api/v1/ws?since=${this.seq}`);
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
    let msg: { type?: string; event?: StreamEvent };
    try {
      msg = JSON.parse(raw) as typeof msg;
    } catch {
      return;
    }
    const event = msg.event;
    if (msg.type !== 'event' || !event || typeof event.seq !== 'number' || typeof event.kind !== 'string') return;
    if (event.seq <= this.lastReceived) return; // a replay after a reconnect race
    this.lastReceived = event.seq;
    if (event.seq > this.seq) {
      this.seq = event.seq;
      streamSeq.set(this.corpid, this.userid, event.seq);
    }
    this.attempt = 0;
    dispatch({ ...event, data: event.data ?? {} });
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
