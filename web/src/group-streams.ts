//! Large groups' own event streams, the pure part (events.ts does the I/O): the position reached
//! in each, dropping replays, and the `conversations` parameter of `/ws`. No DOM here, so
//! tests/unit.test.mjs can load it alone.

/**
 * At most this many groups are named to `/ws`, and remembered. The ones left out are pushed
 * from the moment the socket connects, so only what they got while we were away is missed; the
 * most recently active groups are the likeliest to have had something meanwhile, so they are
 * kept. It also bounds the URL (500 × `id:pos` stays well under servers' request-line limits).
 */
export const MAX_NAMED = 500;

/**
 * Records `pos` for conversation `id` when it is higher than what `positions` has; returns
 * whether it was. The map's order is least recently raised first (a raised entry moves to the
 * end); beyond `max` entries the least recently raised is forgotten.
 */
export function raise(positions: Map<string, number>, id: string, pos: number, max = MAX_NAMED): boolean {
  const old = positions.get(id);
  if (old !== undefined && pos <= old) return false;
  positions.delete(id);
  positions.set(id, pos);
  for (const oldest of positions.keys()) {
    if (positions.size <= max) break;
    positions.delete(oldest);
  }
  return true;
}

/** `id:pos,id:pos` (not URL-encoded) for `/ws?conversations=`; '' when there is none. */
export function conversationsParam(positions: Map<string, number>): string {
  return Array.from(positions, ([id, pos]) => `${id}:${pos}`).join(',');
}
